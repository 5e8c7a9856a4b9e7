// Check and evaluate scheme result rules in the browser and in the field app's service worker.
//
// A port of src/hoctap/schemes/rules.py, which is the reference: both must give the same result
// for the same rule and scores, so change them together (same order of sections and functions,
// same problem texts), and run tests/browser/test_rules_in_browser.py, which compares them.
//
// HoctapRules.evaluate(rule, scores, members) -> {passed, code, total, level}
//   rule     the JSON form of a scheme's `rule` (numbers as JSON numbers or decimal strings)
//   scores   {code: score}, each a number or a decimal string such as "7.5"
//   members  optional {holding, total}, whole numbers, for member_share
//   total is a decimal string as Python's str(Decimal) writes it; level a number or null.
//   Throws an Error named "RuleError" wherever Python raises RuleError (and where a score is
//   no number or a member count no whole number, which Python's types rule out), and one named
//   "Overflow" for a sum past 10**999999, where Python's decimal raises Overflow.
// HoctapRules.validate(rule, indicatorCodes) -> every problem with the rule (texts as Python's);
//   without indicatorCodes, codes are not checked (as evaluate() does).
//
// Numbers are Python Decimals here too: a BigInt coefficient and exponent, never a float. A JSON
// number goes through String(n), which writes the shortest digits that round-trip, as Python's
// str(float) does, so Decimal(str(value)) and this agree. Only what JSON cannot carry differs:
// 5.0 arrives as 5 (so "two bands start at 5.0" reads "…at 5", and a level written 1.0, which
// Python refuses, passes), and integers past 2**53 arrive rounded; write such numbers as text.
// Unicode digits and printable characters come from the browser's tables, which may be newer
// than Python's (Unicode 14 in 3.11): only characters added since then could read otherwise.
(function (root) {
  "use strict";

  class RuleError extends Error {
    // A rule is malformed, or a score or member count it needs is missing.
    constructor(message) {
      super(message);
      this.name = "RuleError";
    }
  }

  // Required and optional fields per type; any other field is most likely a typo.
  var FIELDS = {
    sum_min: [["total_at_least", "each_at_least"], ["indicators"]],
    bands: [["bands", "otherwise"], ["passing"]],
    levels: [["levels"], ["target_met_at"]],
    member_share: [["at_least_percent"], []],
    all_of: [["rules"], []],
  };

  function validate(rule, indicatorCodes) {
    // Return every problem with `rule` (empty list when it is sound).
    var codes = indicatorCodes == null ? null : new Set(indicatorCodes);
    return guardedProblems(rule, codes);
  }

  function evaluate(rule, scores, members) {
    // Return the result the rule gives for these final scores (and member counts).
    var problems = guardedProblems(rule, null);
    if (problems.length) {
      throw new RuleError(problems.join("; "));
    }
    var outcome = evaluateRule(rule, scoreMap(scores), members == null ? null : members);
    return {
      passed: outcome.passed,
      code: outcome.code,
      total: decimalString(outcome.total),
      level: outcome.level,
    };
  }

  // Validation

  function guardedProblems(rule, codes) {
    // JSON cannot nest a rule in itself, but a script can; report that instead of crashing.
    try {
      return problemsOf(rule, codes);
    } catch (error) {
      if (error instanceof RangeError) {
        return ["rules nest too deeply or contain themselves"];
      }
      throw error;
    }
  }

  function problemsOf(rule, codes) {
    if (!isMapping(rule)) {
      return ["a rule must be a mapping"];
    }
    var kind = get(rule, "type");
    if (typeof kind !== "string" || !has(FIELDS, kind)) {
      return [
        "unknown rule type " + pyRepr(kind) + "; expected one of " + Object.keys(FIELDS).join(", "),
      ];
    }
    var required = FIELDS[kind][0];
    var optional = FIELDS[kind][1];
    var fields = Object.keys(rule).filter(function (f) {
      return f !== "type";
    });
    var missing = required.filter(function (f) {
      return fields.indexOf(f) < 0;
    });
    var unknown = fields.filter(function (f) {
      return required.indexOf(f) < 0 && optional.indexOf(f) < 0;
    });
    var problems = missing.sort(byCodePoint).map(function (f) {
      return kind + ": missing field " + pyRepr(f);
    });
    problems = problems.concat(
      unknown.sort(byCodePoint).map(function (f) {
        return kind + ": unknown field " + pyRepr(f);
      })
    );
    return problems.concat(CHECKS[kind](rule, codes));
  }

  function checkSumMin(rule, codes) {
    var problems = fieldNumbers(rule, ["total_at_least", "each_at_least"]);
    if (has(rule, "indicators")) {
      problems = problems.concat(codeList(rule.indicators, "indicators", codes));
    }
    return problems;
  }

  function checkBands(rule, codes) {
    var found = has(rule, "bands") ? bandProblems(rule.bands) : { codes: [], problems: [] };
    var bandCodes = found.codes;
    var problems = found.problems;
    var otherwise = get(rule, "otherwise");
    if (has(rule, "otherwise") && !isCode(otherwise)) {
      problems.push("otherwise must be a result code");
    } else if (bandCodes.indexOf(otherwise) >= 0) {
      problems.push("otherwise " + pyRepr(otherwise) + " is also a band code");
    }
    if (!has(rule, "passing")) {
      return problems;
    }
    var passing = rule.passing;
    if (!isList(passing) || !passing.length || !passing.every(isCode)) {
      problems.push("passing must be a non-empty list of band codes");
    } else {
      passing.forEach(function (c) {
        if (bandCodes.indexOf(c) < 0) {
          problems.push("passing names " + pyRepr(c) + ", which is no band");
        }
      });
    }
    return problems;
  }

  function bandProblems(bands) {
    if (!isList(bands) || !bands.length) {
      return { codes: [], problems: ["bands must be a non-empty list"] };
    }
    var bandCodes = [];
    var marks = [];
    var problems = [];
    bands.forEach(function (item, index) {
      var band = isMapping(item) ? item : {};
      var code = get(band, "code");
      var mark = number(get(band, "at_least"));
      if (isCode(code)) {
        bandCodes.push(code);
      } else {
        problems.push("bands[" + index + "].code must be a non-empty string");
      }
      if (mark === null) {
        problems.push("bands[" + index + "].at_least must be a number");
      } else {
        marks.push(mark);
      }
    });
    duplicates(bandCodes, sameString).forEach(function (c) {
      problems.push("band code " + pyRepr(c) + " is used twice");
    });
    duplicates(marks, sameNumber).forEach(function (m) {
      problems.push("two bands start at " + decimalString(m));
    });
    return { codes: bandCodes, problems: problems };
  }

  function checkLevels(rule, codes) {
    var problems = fieldNumbers(rule, ["target_met_at"]);
    var levels = get(rule, "levels");
    if (!has(rule, "levels")) {
      return problems;
    }
    if (!isList(levels) || !levels.length) {
      return problems.concat(["levels must be a non-empty list"]);
    }
    var numbers = [];
    levels.forEach(function (item, index) {
      var entry = isMapping(item) ? item : {};
      var level = get(entry, "level");
      if (isWholeNumber(level)) {
        numbers.push(Number(level));
      } else {
        problems.push("levels[" + index + "].level must be a whole number");
      }
      var where = "levels[" + index + "].targets";
      problems = problems.concat(codeList(get(entry, "targets"), where, codes));
    });
    var sorted = numbers.slice().sort(function (a, b) {
      return a - b;
    });
    var numbered = sorted.every(function (n, i) {
      return n === i + 1;
    });
    if (numbers.length === levels.length && !numbered) {
      problems.push("levels must be numbered 1, 2, 3 … with none missing or repeated");
    }
    return problems;
  }

  function checkMemberShare(rule, codes) {
    if (!has(rule, "at_least_percent")) {
      return [];
    }
    var percent = number(rule.at_least_percent);
    if (percent === null || compare(percent, ZERO) < 0 || compare(percent, HUNDRED) > 0) {
      return ["at_least_percent must be a number from 0 to 100"];
    }
    return [];
  }

  function checkAllOf(rule, codes) {
    var rules = get(rule, "rules");
    if (!has(rule, "rules")) {
      return [];
    }
    if (!isList(rules) || !rules.length) {
      return ["rules must be a non-empty list of rules"];
    }
    var problems = [];
    rules.forEach(function (sub, i) {
      problemsOf(sub, codes).forEach(function (p) {
        problems.push("rules[" + i + "]: " + p);
      });
    });
    return problems;
  }

  var CHECKS = {
    sum_min: checkSumMin,
    bands: checkBands,
    levels: checkLevels,
    member_share: checkMemberShare,
    all_of: checkAllOf,
  };

  function fieldNumbers(rule, fields) {
    return fields
      .filter(function (f) {
        return has(rule, f) && number(rule[f]) === null;
      })
      .map(function (f) {
        return f + " must be a number";
      });
  }

  function codeList(value, where, codes) {
    if (!isList(value) || !value.length || !value.every(isCode)) {
      return [where + " must be a non-empty list of indicator codes"];
    }
    var problems = duplicates(value, sameString).map(function (c) {
      return where + " names " + pyRepr(c) + " twice";
    });
    if (codes !== null) {
      value.forEach(function (c) {
        if (!codes.has(c)) {
          problems.push(where + " names unknown indicator " + pyRepr(c));
        }
      });
    }
    return problems;
  }

  function number(value) {
    // Return `value` as an exact decimal, or null when it is not a finite number.
    if (typeof value === "number" || typeof value === "bigint") {
      // Through String, so a JSON 0.1 is one tenth and not the nearest binary fraction.
      return parseDecimal(String(value));
    }
    return typeof value === "string" ? parseDecimal(value) : null; // booleans too are no number
  }

  function isList(value) {
    return Array.isArray(value);
  }

  function isMapping(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function isCode(value) {
    return typeof value === "string" && !BLANK.test(value);
  }

  function isWholeNumber(value) {
    // Python's isinstance(value, int) for a JSON value (not a bool, not a string).
    return typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
  }

  function duplicates(items, same) {
    // Every item equal to one before it (so three equal items give two).
    return items.filter(function (item, index) {
      return items.slice(0, index).some(function (earlier) {
        return same(earlier, item);
      });
    });
  }

  // Evaluation; rules reaching here have passed validation.

  function evaluateRule(rule, scores, members) {
    return EVALUATORS[rule.type](rule, scores, members);
  }

  function sumMin(rule, scores, members) {
    var considered = pick(scores, get(rule, "indicators") || Array.from(scores.keys()));
    var total = sum(considered);
    var each = decimal(rule.each_at_least);
    var passed =
      compare(total, decimal(rule.total_at_least)) >= 0 &&
      considered.every(function (s) {
        return compare(s, each) >= 0;
      });
    return verdict(passed, total);
  }

  function bands(rule, scores, members) {
    var total = sum(Array.from(scores.values()));
    // The highest band the total reaches (marks are distinct, so there is one).
    var best = null;
    var bestMark = null;
    rule.bands.forEach(function (band) {
      var mark = decimal(band.at_least);
      if (compare(mark, total) <= 0 && (best === null || compare(mark, bestMark) > 0)) {
        best = band;
        bestMark = mark;
      }
    });
    var code = String(best === null ? rule.otherwise : best.code);
    var passing = has(rule, "passing")
      ? rule.passing
      : rule.bands.map(function (band) {
          return band.code;
        });
    return { passed: passing.indexOf(code) >= 0, code: code, total: total, level: null };
  }

  function levels(rule, scores, members) {
    var metAt = decimal(has(rule, "target_met_at") ? rule.target_met_at : 1);
    var ordered = rule.levels.slice().sort(function (a, b) {
      return Number(a.level) - Number(b.level);
    });
    // Pick every level's scores before counting, so a missing score is an error even
    // above a level that is not met.
    var met = ordered.map(function (entry) {
      return pick(scores, entry.targets).every(function (s) {
        return compare(s, metAt) >= 0;
      });
    });
    var level = met.indexOf(false) < 0 ? met.length : met.indexOf(false);
    var total = sum(Array.from(scores.values()));
    return { passed: level >= 1, code: "level_" + level, total: total, level: level };
  }

  function memberShare(rule, scores, members) {
    if (members === null) {
      throw new RuleError("member_share needs the member counts");
    }
    var holding = wholeNumber(members.holding);
    var total = wholeNumber(members.total);
    if (!(0n <= holding && holding <= total)) {
      throw new RuleError("cannot have " + holding + " of " + total + " members holding");
    }
    // Integers only: 9 of 10 must meet 90 % exactly, whatever the member count.
    var ratio = integerRatio(decimal(rule.at_least_percent));
    var reached = holding * 100n * ratio[1] >= ratio[0] * total;
    return verdict(total > 0n && reached, ZERO);
  }

  function allOf(rule, scores, members) {
    var outcomes = rule.rules.map(function (sub) {
      return evaluateRule(sub, scores, members);
    });
    var passed = outcomes.every(function (o) {
      return o.passed;
    });
    return verdict(passed, outcomes[0].total);
  }

  var EVALUATORS = {
    sum_min: sumMin,
    bands: bands,
    levels: levels,
    member_share: memberShare,
    all_of: allOf,
  };

  function pick(scores, codes) {
    var missing = codes.filter(function (code) {
      return !scores.has(code);
    });
    if (missing.length) {
      throw new RuleError("no score for " + missing.join(", "));
    }
    return codes.map(function (code) {
      return scores.get(code);
    });
  }

  function decimal(value) {
    var parsed = number(value);
    if (parsed === null) {
      throw new RuleError(pyRepr(value) + " is not a number");
    }
    return parsed;
  }

  function verdict(passed, total) {
    return { passed: passed, code: passed ? "passed" : "not_passed", total: total, level: null };
  }

  // What Python's types guarantee and JSON does not: scores are decimals, member counts ints.
  // (Not in rules.py, whose callers pass Decimals and MemberCounts.)

  function scoreMap(scores) {
    var map = new Map();
    Object.keys(scores || {}).forEach(function (code) {
      var value = number(scores[code]);
      if (value === null) {
        var what = pyRepr(scores[code]);
        throw new RuleError("the score for " + pyRepr(code) + " is not a number: " + what);
      }
      map.set(code, value);
    });
    return map;
  }

  function wholeNumber(value) {
    if (!isWholeNumber(value)) {
      throw new RuleError("member counts must be whole numbers, not " + pyRepr(value));
    }
    return BigInt(value);
  }

  // Python's Decimal, as far as the rules need it: {neg, coef, exp} is (-1)**neg * coef * 10**exp,
  // coef and exp BigInts. Like Python's, it keeps its exponent (5.0 is not 5, though equal to
  // it) and has a negative zero; sums round as Python's default context does (28 digits, half
  // even, exponents within ±999999), so even absurdly long scores add up alike.

  var PRECISION = 28n;
  var EMAX = 999999n;
  var EMIN = -999999n;
  var ETINY = EMIN - PRECISION + 1n;
  // The widest exponents Decimal("...") accepts exactly (libmpdec's maximum context).
  var MAX_EMAX = 999999999999999999n;
  var MIN_EMIN = -999999999999999999n;
  var MIN_ETINY = MIN_EMIN - MAX_EMAX;

  var ZERO = { neg: false, coef: 0n, exp: 0n };
  var HUNDRED = { neg: false, coef: 100n, exp: 0n };

  // Python's whitespace (str.isspace), which JavaScript's \s does not quite match.
  var PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  var BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
  var DIGIT = /^\p{Nd}$/u;
  // A finite number as Decimal reads it; Infinity and NaN fail here, as _number refuses them.
  var FINITE = /^([+-]?)(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/;

  function parseDecimal(text) {
    // Decimal(text), or null when Python raises InvalidOperation or the number is not finite.
    // Like Python's: whitespace around is dropped, underscores anywhere are ignored, and any
    // Unicode decimal digit (Arabic-Indic, fullwidth …) counts as its ASCII digit.
    var chars = Array.from(text);
    while (chars.length && PY_SPACE.test(chars[0])) {
      chars.shift();
    }
    while (chars.length && PY_SPACE.test(chars[chars.length - 1])) {
      chars.pop();
    }
    var ascii = "";
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      var point = ch.codePointAt(0);
      if (ch === "_") {
        continue;
      } else if (point > 0 && point <= 127) {
        ascii += ch;
      } else if (DIGIT.test(ch)) {
        ascii += String(digitValue(point));
      } else {
        return null;
      }
    }
    var match = FINITE.exec(ascii);
    if (match === null) {
      return null;
    }
    var fraction = match[3] || match[4] || "";
    var coef = BigInt((match[2] || "") + fraction);
    var exp = BigInt(match[5] || "0") - BigInt(fraction.length);
    var adjusted = exp + digitCount(coef) - 1n;
    if (adjusted > MAX_EMAX || (adjusted < MIN_EMIN && exp < MIN_ETINY)) {
      return null;
    }
    return { neg: match[1] === "-", coef: coef, exp: exp };
  }

  function digitValue(point) {
    // Unicode assigns decimal digits in runs of ten from 0 to 9, some runs back to back.
    var zero = point;
    while (DIGIT.test(String.fromCodePoint(zero - 1))) {
      zero--;
    }
    return (point - zero) % 10;
  }

  function decimalString(d) {
    // str(Decimal): plain digits unless the exponent is positive or the number very small.
    var digits = d.coef.toString();
    var length = BigInt(digits.length);
    var leftDigits = d.exp + length;
    var dotPlace = d.exp <= 0n && leftDigits > -6n ? leftDigits : 1n;
    var text;
    if (dotPlace <= 0n) {
      text = "0." + "0".repeat(Number(-dotPlace)) + digits;
    } else if (dotPlace >= length) {
      text = digits + "0".repeat(Number(dotPlace - length));
    } else {
      text = digits.slice(0, Number(dotPlace)) + "." + digits.slice(Number(dotPlace));
    }
    var shown = leftDigits - dotPlace;
    if (shown !== 0n) {
      text += "E" + (shown > 0n ? "+" : "") + shown.toString();
    }
    return (d.neg ? "-" : "") + text;
  }

  function compare(a, b) {
    // -1, 0 or 1 as a < b, a == b, a > b; exact, like Decimal's comparisons.
    var signA = a.coef === 0n ? 0 : a.neg ? -1 : 1;
    var signB = b.coef === 0n ? 0 : b.neg ? -1 : 1;
    if (signA !== signB || signA === 0) {
      return Math.sign(signA - signB);
    }
    var magnitude;
    if (adjustedExp(a) !== adjustedExp(b)) {
      magnitude = adjustedExp(a) > adjustedExp(b) ? 1 : -1;
    } else {
      // Same leading digit position, so the exponents differ by a few digits at most.
      var low = a.exp < b.exp ? a.exp : b.exp;
      var x = a.coef * pow10(a.exp - low);
      var y = b.coef * pow10(b.exp - low);
      magnitude = x === y ? 0 : x > y ? 1 : -1;
    }
    return magnitude * signA;
  }

  function sameNumber(a, b) {
    return compare(a, b) === 0;
  }

  function sameString(a, b) {
    return a === b;
  }

  function sum(values) {
    // sum(values, ZERO): added one by one from zero, each sum rounded to 28 digits.
    return values.reduce(add, ZERO);
  }

  function add(a, b) {
    if (a.coef === 0n && b.coef === 0n) {
      return rounded(a.neg && b.neg, 0n, minimum(a.exp, b.exp));
    }
    if (a.coef === 0n || b.coef === 0n) {
      // A zero only sets the exponent; zeros past the precision would be rounded off again.
      var zero = a.coef === 0n ? a : b;
      var x = a.coef === 0n ? b : a;
      var low = maximum(minimum(zero.exp, x.exp), x.exp - PRECISION - 1n);
      return rounded(x.neg, x.coef * pow10(x.exp - low), low);
    }
    var high = adjustedExp(a) >= adjustedExp(b) ? a : b;
    var small = high === a ? b : a;
    // A term wholly below the digits the sum can keep only decides which way it rounds; any
    // number of that sign just as far below decides the same, so use one that is cheap to add.
    var far = minimum(high.exp - 1n, maximum(adjustedExp(high) - PRECISION, ETINY) - 2n);
    if (adjustedExp(small) < far) {
      small = { neg: small.neg, coef: 1n, exp: far };
    }
    var exp = minimum(high.exp, small.exp);
    var total = signed(high) * pow10(high.exp - exp) + signed(small) * pow10(small.exp - exp);
    return rounded(total < 0n, total < 0n ? -total : total, exp);
  }

  function rounded(neg, coef, exp) {
    // The exact result coef * 10**exp fitted to the context, as libmpdec finishes a sum.
    if (coef === 0n) {
      return { neg: neg, coef: 0n, exp: maximum(minimum(exp, EMAX), ETINY) };
    }
    var adjusted = exp + digitCount(coef) - 1n;
    if (adjusted > EMAX) {
      throw overflow();
    }
    if (adjusted < EMIN) {
      // Subnormal: fewer digits, down to the smallest exponent (the result may become zero).
      if (exp < ETINY) {
        coef = roundHalfEven(coef, ETINY - exp);
        exp = ETINY;
      }
      return { neg: neg, coef: coef, exp: exp };
    }
    var extra = digitCount(coef) - PRECISION;
    if (extra > 0n) {
      coef = roundHalfEven(coef, extra);
      exp += extra;
      if (digitCount(coef) > PRECISION) {
        // Rounded up to a power of ten: one digit too many, all zeros.
        coef /= 10n;
        exp += 1n;
      }
      if (exp + PRECISION - 1n > EMAX) {
        throw overflow();
      }
    }
    return { neg: neg, coef: coef, exp: exp };
  }

  function roundHalfEven(coef, drop) {
    // coef / 10**drop, rounded to the nearest integer, ties to even.
    var unit = pow10(drop);
    var kept = coef / unit;
    var rest = coef % unit;
    var half = unit / 2n;
    if (rest > half || (rest === half && kept % 2n === 1n)) {
      kept += 1n;
    }
    return kept;
  }

  function overflow() {
    // Python raises decimal.Overflow (not RuleError) for a sum past 10**999999.
    var error = new Error("the sum is too large for a decimal");
    error.name = "Overflow";
    return error;
  }

  function integerRatio(d) {
    // Decimal.as_integer_ratio(), in lowest terms as far as powers of ten go.
    var coef = d.coef;
    var exp = d.exp;
    if (coef === 0n) {
      return [0n, 1n];
    }
    while (coef % 10n === 0n) {
      coef /= 10n;
      exp += 1n;
    }
    var numerator = d.neg ? -coef : coef;
    return exp >= 0n ? [numerator * pow10(exp), 1n] : [numerator, pow10(-exp)];
  }

  function signed(d) {
    return d.neg ? -d.coef : d.coef;
  }

  function adjustedExp(d) {
    return d.exp + digitCount(d.coef) - 1n;
  }

  function digitCount(coef) {
    return BigInt(coef.toString().length);
  }

  function pow10(n) {
    return 10n ** n;
  }

  function minimum(a, b) {
    return a < b ? a : b;
  }

  function maximum(a, b) {
    return a > b ? a : b;
  }

  // Python's repr() of a JSON value and its sort order of strings, for the same problem texts.

  var UNPRINTABLE = /^[\p{C}\p{Z}]$/u;

  function pyRepr(value) {
    if (value === null || value === undefined) {
      return "None";
    }
    if (typeof value === "boolean") {
      return value ? "True" : "False";
    }
    if (typeof value === "string") {
      return reprString(value);
    }
    if (typeof value === "number") {
      return reprNumber(value);
    }
    if (typeof value === "bigint") {
      return value.toString();
    }
    if (Array.isArray(value)) {
      return "[" + value.map(pyRepr).join(", ") + "]";
    }
    if (isMapping(value)) {
      var items = Object.keys(value).map(function (key) {
        return reprString(key) + ": " + pyRepr(value[key]);
      });
      return "{" + items.join(", ") + "}";
    }
    return String(value);
  }

  function reprString(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var out = quote;
    Array.from(text).forEach(function (ch) {
      var point = ch.codePointAt(0);
      if (ch === quote || ch === "\\") {
        out += "\\" + ch;
      } else if (ch === "\t" || ch === "\n" || ch === "\r") {
        out += { "\t": "\\t", "\n": "\\n", "\r": "\\r" }[ch];
      } else if (point < 0x20 || point === 0x7f) {
        out += "\\x" + hex(point, 2);
      } else if (point < 0x7f || !UNPRINTABLE.test(ch)) {
        out += ch;
      } else if (point <= 0xff) {
        out += "\\x" + hex(point, 2);
      } else if (point <= 0xffff) {
        out += "\\u" + hex(point, 4);
      } else {
        out += "\\U" + hex(point, 8);
      }
    });
    return out + quote;
  }

  function reprNumber(n) {
    // JSON cannot tell 5 from 5.0: a whole number is taken for an int.
    if (!Number.isFinite(n)) {
      return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf";
    }
    if (Number.isInteger(n)) {
      return BigInt(n).toString();
    }
    // repr(float): the same shortest digits, with an exponent from 1e-05 down and 1e+16 up.
    var parts = n.toExponential().split("e");
    var sign = n < 0 ? "-" : "";
    var digits = parts[0].replace("-", "").replace(".", "");
    var point = Number(parts[1]) + 1;
    if (point > -4 && point <= 16) {
      if (point <= 0) {
        return sign + "0." + "0".repeat(-point) + digits;
      }
      return sign + digits.slice(0, point) + "." + digits.slice(point);
    }
    var exponent = point - 1;
    var mantissa = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    var written = String(Math.abs(exponent)).padStart(2, "0");
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + written;
  }

  function hex(point, width) {
    return point.toString(16).padStart(width, "0");
  }

  function byCodePoint(a, b) {
    // Python orders strings by code point; JavaScript's sort() by UTF-16 unit.
    var x = Array.from(a);
    var y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var diff = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (diff !== 0) {
        return diff;
      }
    }
    return x.length - y.length;
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function get(object, key) {
    // Python's mapping.get(key): None (here null) when the key is absent.
    return has(object, key) ? object[key] : null;
  }

  root.HoctapRules = Object.freeze({ evaluate: evaluate, validate: validate, RuleError: RuleError });
})(typeof self !== "undefined" ? self : globalThis);
