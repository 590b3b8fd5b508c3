// The public profile's page tools: 字号加大 / 字号减小 (remembered in localStorage and
// applied on every profile page), 打印, and the chart's data table opened for printing.
(function () {
  "use strict";
  var STORAGE_KEY = "volunteer.profile.fontStep";
  var article = document.getElementById("profile-article");
  if (!article) {
    return;
  }
  var defaultStep = parseInt(article.getAttribute("data-font-step"), 10) || 1;
  var stepCount = parseInt(article.getAttribute("data-font-steps"), 10) || 6;
  var changeButtons = document.querySelectorAll("[data-font-change]");

  function clamp(step) {
    return Math.max(0, Math.min(stepCount - 1, step));
  }

  function stored() {
    try {
      var value = parseInt(window.localStorage.getItem(STORAGE_KEY), 10);
      return isNaN(value) ? defaultStep : clamp(value);
    } catch (error) {
      return defaultStep; // storage blocked: the size just is not remembered
    }
  }

  function remember(step) {
    try {
      window.localStorage.setItem(STORAGE_KEY, String(step));
    } catch (error) {
      // Private mode or storage disabled: the change still applies to this page.
    }
  }

  function apply(step) {
    article.setAttribute("data-font-step", String(step));
    changeButtons.forEach(function (button) {
      var delta = parseInt(button.getAttribute("data-font-change"), 10);
      button.disabled = clamp(step + delta) === step;
    });
  }

  apply(stored());

  changeButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      var current = parseInt(article.getAttribute("data-font-step"), 10);
      var step = clamp(current + parseInt(button.getAttribute("data-font-change"), 10));
      apply(step);
      remember(step);
    });
  });

  // The chart's figures belong on paper too: open the table while printing.
  var details = document.getElementById("chart-data");
  var wasOpen = false;
  window.addEventListener("beforeprint", function () {
    if (details) {
      wasOpen = details.open;
      details.open = true;
    }
  });
  window.addEventListener("afterprint", function () {
    if (details) {
      details.open = wasOpen;
    }
  });

  // Another profile tab changed the size: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === STORAGE_KEY) {
      apply(stored());
    }
  });
})();
