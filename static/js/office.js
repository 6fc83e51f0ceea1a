/* The clerk's page: "Scan with camera" reads the coupon's QR code and submits its number.
   The browser's BarcodeDetector is used where it exists; elsewhere the vendored jsQR
   (static/vendor/jsqr) is loaded on first use and reads the camera's frames. A USB/Bluetooth
   scanner needs nothing from here: it types the number and Enter into the focused box.
   Without this script (or a camera) the page works by typing. */
(function () {
  "use strict";

  var NUMBER = /^\d{13}$/;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") < 0) {
          return null;
        }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (video) {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      })
      .catch(function () {
        return null;
      });
  }

  function jsqrDetector(src) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var ready = window.jsQR ? Promise.resolve() : loadScript(src);
    return ready.then(function () {
      return function (video) {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) {
          return Promise.resolve(null);
        }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function setUp(box) {
    var form = box.closest("form");
    var input = form.querySelector("input[name=number]");
    var start = box.querySelector("[data-camera-start]");
    var stop = box.querySelector("[data-camera-stop]");
    var status = box.querySelector("[data-camera-status]");
    var video = box.querySelector("[data-camera-video]");
    var stream = null;
    var timer = null;

    function halt() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
        stream = null;
      }
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
    }

    function watch(detect) {
      detect(video)
        .then(function (text) {
          var number = (text || "").replace(/[\s-]/g, "");
          if (NUMBER.test(number)) {
            halt();
            input.value = number;
            status.textContent = box.dataset.found || "";
            form.submit();
            return;
          }
          if (stream) {
            timer = setTimeout(function () {
              watch(detect);
            }, 150);
          }
        })
        .catch(function () {
          if (stream) {
            timer = setTimeout(function () {
              watch(detect);
            }, 300);
          }
        });
    }

    start.addEventListener("click", function () {
      status.textContent = "";
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          start.hidden = true;
          stop.hidden = false;
          return video.play();
        })
        .then(function () {
          return nativeDetector();
        })
        .then(function (detect) {
          return detect || jsqrDetector(box.dataset.jsqr);
        })
        .then(function (detect) {
          if (stream) {
            watch(detect);
          }
        })
        .catch(function (error) {
          halt();
          status.textContent = (box.dataset.failed || "") + " " + (error && error.name ? error.name : "");
          input.focus();
        });
    });

    stop.addEventListener("click", function () {
      halt();
      input.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) {
      return;
    }
    document.querySelectorAll(".coupon-camera").forEach(function (box) {
      box.hidden = false;
      setUp(box);
    });
  });
})();
