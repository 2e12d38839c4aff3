// The review site's two static files, style.css and review.js, kept in the library so that a
// review is one self-contained folder written by the binary alone. The pages load them from
// beside themselves ('self' in the Content-Security-Policy): no inline script, style attribute
// or event handler is needed anywhere. The script only enhances (filters, keys, the evidence
// panel); every page reads fully without it.
#include "dupstrip/review_internal.hpp"

namespace dupstrip::detail::review {

namespace {

constexpr std::string_view css = R"CSS(/* dupstrip review: style sheet (written by dupstrip; no external resources) */
:root { --fg: #1b1b1b; --bg: #fff; --muted: #5b5b5b; --line: #d8d8d8; --head: #f3f4f6; --link: #0b57a4; --accent: #0072B2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, tr:focus, mark.rm:focus { outline: 3px solid #E69F00; outline-offset: 1px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5em; z-index: 10; }
.skip:focus { left: .5em; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .4em 1.2em; padding: .6em 1.2em; background: #16324f; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; letter-spacing: .02em; }
header.top nav { display: flex; flex-wrap: wrap; gap: .2em .9em; }
header.top nav a { padding: .15em .3em; border-bottom: 2px solid transparent; }
header.top nav a[aria-current="page"] { border-bottom-color: #E69F00; }
button.keys { margin-left: auto; font: inherit; font-size: 13px; background: transparent; color: #fff; border: 1px solid #7d93ab; border-radius: 4px; padding: .1em .6em; cursor: pointer; }
kbd { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; border: 1px solid #aaa; border-bottom-width: 2px; border-radius: 3px; padding: 0 .3em; background: #f7f7f7; color: #111; }
.keys-help { margin: 0 1.2em; padding: .4em 1em; border: 1px solid var(--line); border-top: 0; background: #fffbe8; }
.keys-help h2 { font-size: 1em; margin: .3em 0; }
.keys-help dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .3em 0; }
.keys-help dd { margin: 0; }
main { padding: 1em 1.2em 2em; max-width: 1400px; }
h1 { font-size: 1.5em; margin: .2em 0 .5em; overflow-wrap: anywhere; }
h2 { font-size: 1.2em; margin: 1.4em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 1em 0 .4em; }
p.lead, p.note { color: var(--muted); margin: .3em 0 .8em; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(11em, 1fr)); gap: .7em; margin: .6em 0 1em; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6em .8em; background: #fafafa; }
.card .v { display: block; font-size: 1.5em; font-weight: 700; }
.card .k { color: var(--muted); font-size: .9em; }
.card.warn { border-color: #D55E00; background: #fff4ec; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: .3em .55em; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--head); position: sticky; top: 0; z-index: 1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { overflow-wrap: anywhere; min-width: 12em; max-width: 40em; }
tbody tr:hover { background: #f5f8fc; }
tr[hidden] { display: none; }
.filters { display: flex; flex-wrap: wrap; gap: .5em 1em; align-items: end; margin: .5em 0 .7em; }
.filters label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
.filters input, .filters select { font: inherit; font-size: 14px; padding: .25em .4em; min-width: 12em; max-width: 80vw; }
#filter-count { font-size: .9em; color: var(--muted); }
nav.pager { margin: .7em 0; display: flex; flex-wrap: wrap; gap: .3em; align-items: center; }
nav.pager a { padding: .1em .5em; border: 1px solid var(--line); border-radius: 3px; text-decoration: none; }
nav.pager a[aria-current="page"] { background: #16324f; color: #fff; }
svg.chart { max-width: 100%; height: auto; color: var(--fg); }
figure { margin: .5em 0 1em; }
figcaption { color: var(--muted); font-size: .9em; }
ul.legend { list-style: none; padding: 0; margin: .4em 0 .8em; display: flex; flex-wrap: wrap; gap: .3em 1.1em; font-size: 14px; }
ul.legend li { display: flex; align-items: center; gap: .35em; }
ul.legend label { display: flex; align-items: center; gap: .35em; cursor: pointer; }
.sw { display: inline-block; width: 1.6em; height: 1em; border: 1px solid #555; border-radius: 2px; }
.tag { font: 700 11px ui-monospace, "DejaVu Sans Mono", monospace; }
td.tag { vertical-align: middle; }
.tags .tag { display: inline-block; margin-right: .3em; padding: 0 .25em; border: 1px solid #888; border-radius: 3px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: .5em 0 1em; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.warning { border-left: 4px solid #D55E00; background: #fff4ec; padding: .4em .8em; margin: .6em 0; }
.panes { display: grid; grid-template-columns: 3fr 2fr; gap: 1em; align-items: start; }
.pane { min-width: 0; }
pre.text, .diff { font: 13.5px/1.55 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; margin: 0; padding: .6em .8em; border: 1px solid var(--line); border-radius: 4px; background: #fcfcfc; }
/* A removed range is whole lines: a block of its own (and one box per range, painted whole). */
mark.rm { display: block; position: relative; color: inherit; border-radius: 2px; box-shadow: inset 3px 0 0 var(--c); background-color: var(--t); }
mark.rm::before { font: 700 10px/1 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--c); color: #000; padding: 1px 3px; margin-right: 4px; border-radius: 2px; vertical-align: 1px; }
mark.rm:target { outline: 3px solid #E69F00; }
mark.rm:hover::after, mark.rm:focus::after, mark.rm:target::after { content: attr(data-ev); position: absolute; left: 0; top: 100%; z-index: 5; width: max-content; max-width: min(34em, 85vw); white-space: normal; background: #222; color: #fff; padding: .4em .6em; border-radius: 4px; font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
.r-boilerplate { --c: #E69F00; --t: #fbe5b6; }
.r-corpus { --c: #56B4E9; --t: #d2ebf9; }
.r-template { --c: #009E73; --t: #c4eadf; }
.r-repeat { --c: #F0E442; --t: #f9f5bf; }
.r-line_repeat { --c: #0072B2; --t: #c9def0; }
.r-links { --c: #D55E00; --t: #f6d2bb; }
.r-outside_main { --c: #CC79A7; --t: #f1d8e6; }
.r-other { --c: #999999; --t: #e4e4e4; }
mark.r-boilerplate, .sw.r-boilerplate { background-image: repeating-linear-gradient(45deg, rgba(0,0,0,.11) 0 2px, transparent 2px 7px); }
mark.r-corpus, .sw.r-corpus { background-image: radial-gradient(rgba(0,0,0,.2) 1px, transparent 1.6px); background-size: 6px 6px; }
mark.r-template, .sw.r-template { background-image: repeating-linear-gradient(0deg, rgba(0,0,0,.12) 0 1px, transparent 1px 5px); }
mark.r-repeat, .sw.r-repeat { background-image: repeating-linear-gradient(45deg, rgba(0,0,0,.1) 0 1px, transparent 1px 6px), repeating-linear-gradient(-45deg, rgba(0,0,0,.1) 0 1px, transparent 1px 6px); }
mark.r-line_repeat, .sw.r-line_repeat { background-image: repeating-linear-gradient(90deg, rgba(0,0,0,.12) 0 1px, transparent 1px 6px); }
mark.r-links, .sw.r-links { background-image: repeating-linear-gradient(-45deg, rgba(0,0,0,.11) 0 2px, transparent 2px 7px); }
mark.r-outside_main, .sw.r-outside_main { background-image: repeating-conic-gradient(rgba(0,0,0,.08) 0 25%, transparent 0 50%); background-size: 8px 8px; }
.sw { background-color: var(--c); }
mark.r-boilerplate::before { content: "BP"; }
mark.r-corpus::before { content: "CW"; }
mark.r-template::before { content: "TL"; }
mark.r-repeat::before { content: "RR"; }
mark.r-line_repeat::before { content: "LR"; }
mark.r-links::before { content: "LK"; }
mark.r-outside_main::before { content: "OM"; }
mark.r-other::before { content: "??"; }
.hide-boilerplate mark.r-boilerplate, .hide-corpus mark.r-corpus, .hide-template mark.r-template, .hide-repeat mark.r-repeat,
.hide-line_repeat mark.r-line_repeat, .hide-links mark.r-links, .hide-outside_main mark.r-outside_main, .hide-other mark.r-other { background: none; box-shadow: none; }
.hide-boilerplate mark.r-boilerplate::before, .hide-corpus mark.r-corpus::before, .hide-template mark.r-template::before, .hide-repeat mark.r-repeat::before,
.hide-line_repeat mark.r-line_repeat::before, .hide-links mark.r-links::before, .hide-outside_main mark.r-outside_main::before, .hide-other mark.r-other::before { display: none; }
mark.rm + mark.rm { border-top: 1px solid rgba(0,0,0,.12); }
a.first-copy { text-decoration: none; margin-right: .2em; }
.cut { display: block; margin-top: .6em; color: #8a3b00; font-style: italic; }
#evidence { position: sticky; bottom: 0; min-height: 2.2em; margin-top: .8em; padding: .4em .8em; background: #16324f; color: #fff; border-radius: 4px; font-size: 14px; }
#evidence:empty::before { content: "Focus or point at a marked range (j / k) to see its evidence here."; color: #c9d4e0; }
.diff { white-space: normal; }
.diff .dl { padding: 0 .3em; white-space: pre-wrap; }
.diff .dl.del { background: #fde7e6; }
.diff .dl.ins { background: #e2f5e4; }
.diff .dl.fold { color: var(--muted); font-style: italic; background: #f2f2f2; }
.diff .sign { display: inline-block; width: 1.4em; color: var(--muted); user-select: none; }
.diff del { background: #f5b3ae; text-decoration: line-through; }
.diff ins { background: #9fdfab; text-decoration: underline; }
.diff-stats .del-count { color: #a4261b; }
.diff-stats .ins-count { color: #1e6b2c; }
.fixed { font-weight: 700; }
.var { font-style: italic; color: var(--muted); border-bottom: 1px dashed #999; }
.pct { font-size: .85em; color: var(--muted); }
footer.bottom { padding: .8em 1.2em; border-top: 1px solid var(--line); color: var(--muted); font-size: .9em; display: flex; flex-wrap: wrap; gap: .5em 1em; }
@media (max-width: 760px) {
  body { font-size: 14px; }
  main { padding: .8em .6em 2em; }
  header.top { padding: .5em .6em; }
  .panes { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dt { margin-top: .3em; }
  td.name { min-width: 9em; }
  button.keys { display: none; }
}
)CSS";

constexpr std::string_view js =
    R"JS(// dupstrip review: filters, keyboard navigation and the evidence panel (no network, no eval).
(function () {
  'use strict';
  document.documentElement.setAttribute('data-js', 'ready');
  function all(sel, el) { return Array.prototype.slice.call((el || document).querySelectorAll(sel)); }

  // Filters of the table: name (substring), site, reason, why (exact), from the controls or
  // from the query string (docs.html?reason=boilerplate).
  var table = document.querySelector('table.filterable');
  var controls = all('[data-filter]');
  var count = document.getElementById('filter-count');
  var params = new URLSearchParams(window.location.search);
  controls.forEach(function (c) {
    var key = c.getAttribute('data-filter');
    if (!params.has(key)) return;
    var v = params.get(key);
    if (c.tagName === 'SELECT' && !all('option', c).some(function (o) { return o.value === v; })) return;
    c.value = v;
  });
  function lower(s) { return (s || '').toLowerCase(); }
  function applyFilters() {
    if (!table) return;
    var f = {};
    controls.forEach(function (c) { f[c.getAttribute('data-filter')] = lower(c.value.trim()); });
    var rows = all('tbody tr', table), shown = 0;
    rows.forEach(function (tr) {
      var ok = true;
      if (f.name) ok = lower(tr.getAttribute('data-name')).indexOf(f.name) >= 0;
      if (ok && f.site) ok = lower(tr.getAttribute('data-site')) === f.site;
      if (ok && f.reason) ok = (' ' + (tr.getAttribute('data-reasons') || '') + ' ').indexOf(' ' + f.reason + ' ') >= 0;
      if (ok && f.why) ok = tr.getAttribute('data-why') === f.why;
      tr.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = shown + ' of ' + rows.length + ' rows on this page shown';
  }
  controls.forEach(function (c) {
    c.addEventListener('input', applyFilters);
    c.addEventListener('change', applyFilters);
  });

  // Reasons shown or not on a document page.
  all('[data-toggle-reason]').forEach(function (box) {
    box.addEventListener('change', function () {
      document.body.classList.toggle('hide-' + box.getAttribute('data-toggle-reason'), !box.checked);
    });
  });

  // The evidence of the range under focus or the pointer.
  var panel = document.getElementById('evidence');
  function evidenceOf(target) {
    var m = target && target.closest ? target.closest('mark.rm') : null;
    if (m && panel) panel.textContent = m.getAttribute('data-ev') || '';
  }
  document.addEventListener('focusin', function (e) { evidenceOf(e.target); });
  document.addEventListener('mouseover', function (e) { evidenceOf(e.target); });

  // Keyboard help.
  var help = document.getElementById('keys');
  var helpButton = document.getElementById('keys-button');
  function toggleHelp(show) {
    if (!help) return;
    if (show === undefined) show = help.hidden;
    help.hidden = !show;
    if (helpButton) helpButton.setAttribute('aria-expanded', show ? 'true' : 'false');
  }
  if (helpButton) helpButton.addEventListener('click', function () { toggleHelp(); });

  // j / k move through the removed ranges of a document, or the visible rows of a table.
  function items() {
    var marks = all('mark.rm');
    if (marks.length) return marks;
    return all('table.rows tbody tr').filter(function (tr) { return !tr.hidden; });
  }
  function move(step) {
    var list = items();
    if (!list.length) return;
    var i = list.indexOf(document.activeElement);
    if (i < 0) i = step > 0 ? -1 : list.length;
    i = Math.max(0, Math.min(list.length - 1, i + step));
    var el = list[i];
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus();
    el.scrollIntoView({ block: 'nearest' });
  }
  function follow(rel) {
    var a = document.querySelector('a[rel="' + rel + '"]');
    if (a) window.location.href = a.href;
  }
  var go = { g: 'index.html', s: 'sites.html', c: 'clusters.html', d: 'docs.html' };
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var tag = t && t.tagName;
    var typing = (tag === 'INPUT' && t.type !== 'checkbox') || tag === 'SELECT' || tag === 'TEXTAREA';
    if (e.key === 'Escape') {
      if (typing && tag !== 'SELECT') { t.value = ''; applyFilters(); }
      if (typing) t.blur();
      toggleHelp(false);
      return;
    }
    if (typing) return;
    if (e.key === 'j') move(1);
    else if (e.key === 'k') move(-1);
    else if (e.key === 'n') follow('next');
    else if (e.key === 'p') follow('prev');
    else if (e.key === '?') toggleHelp();
    else if (go[e.key]) window.location.href = go[e.key];
    else if (e.key === '/') {
      var box = document.querySelector('[data-filter="name"]');
      if (!box) return;
      box.focus();
    } else if (e.key === 'Enter' && tag === 'TR') {
      var link = t.querySelector('a[href]');
      if (!link) return;
      window.location.href = link.href;
    } else return;
    e.preventDefault();
  });
  applyFilters();
})();
)JS";

}  // namespace

std::string_view style_sheet() noexcept { return css; }
std::string_view script() noexcept { return js; }

}  // namespace dupstrip::detail::review
