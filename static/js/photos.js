// Shrinking photos on the phone, shared by the online pages (hoctap.js) and the offline field
// app (field.js): evidence taken in a village then goes through a slow connection, or waits
// in the phone's outbox, at a fraction of the camera's size. Files it cannot read (PDF, HEIC)
// are left as they are; the server checks and shrinks what it receives in any case.
(function (root) {
  "use strict";
  var READABLE = /^image\/(jpeg|png|webp)$/;

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      img.src = url;
    });
  }

  function encode(img, scale, quality) {
    var canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  // Resolve to a JPEG no larger than maxSide on its longest side and, where lowering the
  // quality and then the size can reach it, no larger than maxBytes; or to the file itself
  // when it is already small enough or cannot be read.
  function shrink(file, options) {
    var maxSide = options.maxSide, maxBytes = options.maxBytes;
    if (!READABLE.test(file.type)) return Promise.resolve(file);
    return load(file).then(function (img) {
      var scale = Math.min(1, maxSide / Math.max(img.naturalWidth, img.naturalHeight));
      if (scale === 1 && file.size <= maxBytes) return file;
      var quality = 0.82;
      function attempt() {
        return encode(img, scale, quality).then(function (blob) {
          if (!blob) return file;
          if (blob.size <= maxBytes || (quality <= 0.5 && scale <= 0.2)) return blob;
          if (quality > 0.5) quality -= 0.16; else scale *= 0.75;
          return attempt();
        });
      }
      return attempt().then(function (blob) {
        if (blob === file || blob.size >= file.size) return file;
        var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      });
    }, function () { return file; });
  }

  root.HoctapPhotos = { shrink: shrink };
})(typeof self !== "undefined" ? self : this);
