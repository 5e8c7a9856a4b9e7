// hoctap's script for the online pages: shrink photos on the phone before they are uploaded
// (photos.js does the shrinking). Without it, the original is sent and the server checks and
// shrinks it.
(function () {
  "use strict";
  var LIMITS = { maxSide: 1600, maxBytes: 1500000 };

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var form = input.closest("form[data-shrink-photos]");
    if (!form || !input.files || !input.files.length || typeof DataTransfer === "undefined") return;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    var shrink = function (file) { return window.HoctapPhotos.shrink(file, LIMITS); };
    Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
      var list = new DataTransfer();
      files.forEach(function (file) { list.items.add(file); });
      input.files = list.files; // a change made by script fires no change event
    }).finally(function () {
      if (button) button.disabled = false;
    });
  });
})();
