// hoctap's only script of its own: shrink photos on the phone before they are uploaded, so
// evidence taken in a village goes through a slow connection. Without it, or for files it
// cannot read (PDF, HEIC), the original is sent and the server checks and shrinks it.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.82;
  var SMALL_ENOUGH = 1500000;

  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type)) {
        resolve(file);
        return;
      }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        if (scale === 1 && file.size < SMALL_ENOUGH) {
          resolve(file);
          return;
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) {
            resolve(file);
            return;
          }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        resolve(file);
      };
      img.src = url;
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var form = input.closest("form[data-shrink-photos]");
    if (!form || !input.files || !input.files.length || typeof DataTransfer === "undefined") return;
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    Promise.all(Array.prototype.map.call(input.files, shrink)).then(function (files) {
      var list = new DataTransfer();
      files.forEach(function (file) { list.items.add(file); });
      input.files = list.files; // a change made by script fires no change event
    }).finally(function () {
      if (button) button.disabled = false;
    });
  });
})();
