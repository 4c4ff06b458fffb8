// What every page of the portals and the panel needs from a script: a file served by the app, never an inline
// script, so the Content-Security-Policy (script-src 'self') lets it run. Loaded in <head>, so the "js" class is on
// <html> before the page is drawn (static/css/a11y.css keeps the portals' menu open without it).
//  - The portals' navbar menu button (Bootstrap 4's navbar-toggler markup), without jQuery. The panel's navbar
//    keeps Flask-Admin's Bootstrap script.
//  - A table that scrolls sideways inside its own box on a phone can be reached and scrolled by keyboard.
//  - Controls that Flask-Admin names by a title alone get an accessible name (its list's check boxes, the icons
//    that view, edit or delete a row, the question-mark links that describe a column), and its select boxes the
//    name of their field.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  function menuButton(button) {
    var target = document.querySelector(button.getAttribute("data-target"));
    if (!target) return;
    function set(open) {
      target.classList.toggle("show", open);
      button.classList.toggle("collapsed", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () { set(!target.classList.contains("show")); });
    // Escape closes the open menu and puts the focus back on its button.
    target.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && target.classList.contains("show")) { set(false); button.focus(); }
    });
  }

  function scrollingTables() {
    each("main table", function (table) {
      var scrolls = /auto|scroll/.test(getComputedStyle(table).overflowX) && table.scrollWidth > table.clientWidth;
      if (scrolls && !table.hasAttribute("tabindex")) table.setAttribute("tabindex", "0");
      else if (!scrolls && table.getAttribute("tabindex") === "0") table.removeAttribute("tabindex");
    });
  }

  function named(el) {
    var text = el.getAttribute("title") || el.getAttribute("data-original-title");
    if (text && !el.getAttribute("aria-label")) el.setAttribute("aria-label", text);
  }

  // Flask-Admin's select boxes (select2): its clickable box and its keyboard button are named by the field's label
  // and the chosen value ("Gender, Female"), not by the value alone or nothing when none is chosen yet.
  function select2Names() {
    each(".select2-container[id^='s2id_']", function (box) {
      var label = document.querySelector('label[for="' + box.id.slice(5) + '"]');
      var chosen = box.querySelector(".select2-chosen");
      if (!label || !chosen) return;
      if (!label.id) label.id = "label-" + box.id;
      var names = label.id + (chosen.id ? " " + chosen.id : "");
      each("#" + box.id + " > .select2-choice, #" + box.id + " > .select2-focusser", function (el) {
        el.setAttribute("aria-labelledby", names);
      });
    });
  }

  function start() {
    each('.site-navbar [data-toggle="collapse"][data-target]', menuButton);
    each(".action-checkbox, .action-rowtoggle, [data-role=tooltip], .model-list .icon[title], .model-list .icon button[title]", named);
    scrollingTables();
    // After Flask-Admin's own jQuery ready handlers, which build them (ready handlers run in the order given).
    if (window.jQuery) window.jQuery(select2Names);
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(scrollingTables, 100); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
