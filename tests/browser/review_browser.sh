#!/usr/bin/env bash
# review_browser.sh — the review in a real browser (ctest label `browser`).
#
# Writes a small corpus with hostile documents (markup, a </textarea>, an <img onerror>, a
# javascript: link, U+202E, a file name made of markup, a web page whose text holds markup),
# runs `dupstrip clean --report --review`, opens the pages in headless Chromium and checks, in
# the DOM Chromium dumps after the page's script ran:
#   - the counts and texts expected (documents, kept, dropped, the hostile strings as text);
#   - the review's own script ran (the <html> element gets data-js="ready") and its filters
#     work from the query string (docs.html?reason=...);
#   - nothing injected ran or exists: no data-pwned marker (each hostile document would set
#     one), no element the review does not make (img, iframe, textarea...), no on* attribute,
#     one script element (review.js), every link and source a file of the review;
# and takes screenshots (the summary at 1280 px, a document at a phone's 390 px).
#
# Environment: DUPSTRIP (the executable, required); CHROMIUM (default: chromium from PATH);
# REVIEW_SCREENSHOTS=DIR keeps the screenshots there. Exit 77 (ctest: skipped) when Chromium
# or python3 is missing. Takes 10 to 25 s on 2 cores (ten Chromium starts, two at a time).
set -euo pipefail

: "${DUPSTRIP:?set DUPSTRIP to the dupstrip executable}"
browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
  done
fi
if [[ -z $browser ]]; then
  echo "review_browser.sh: SKIPPED: chromium is not installed (apt-get install --no-install-recommends chromium)"
  exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "review_browser.sh: SKIPPED: python3 is not installed (it reads the dumped DOM)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-browser.XXXXXX")
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
in=$work/in

# ------------------------------------------------------------------ the corpus
para() {  # para SEED: a paragraph of invented words, its own per seed
  python3 -c "
import random, sys
r = random.Random(int(sys.argv[1]))
syl = ['ka','lo','mi','ren','sa','tu','vel','dor','an','bri','co','fen','gar','hol','is','jun','mar','nor','pel','quin']
print(' '.join(''.join(r.choice(syl) for _ in range(r.randint(2, 3))) for _ in range(40)) + '.')" "$1"
}
site_page() {  # site_page SITE N EXTRA_LINE
  local site=$1 n=$2 extra=$3
  {
    echo "The ${site^} Chronicle: news of the river towns"
    echo "Home | Towns | Sport | Weather | Letters"
    echo "<script>document.body.setAttribute('data-pwned','furniture')</script> Subscribe today"
    echo "Headline of ${site} story number ${n}"
    para "$((n * 7 + ${#site}))"
    [[ -n $extra ]] && echo "$extra"
    para "$((n * 13 + ${#site}))"
    echo "Copyright The ${site^} Chronicle. All rights reserved."
  }
}
mkdir -p "$in/alpha" "$in/beta" "$in/gamma"
for n in 1 2 3 4 5; do site_page alpha "$n" "" >"$in/alpha/story-$n.txt"; done
for n in 1 2 3 4; do site_page beta "$n" "" >"$in/beta/story-$n.txt"; done
# One document holds the hostile lines; a copy of a story under a name made of markup is a
# near-duplicate (dropped, with a diff); a web page holds markup as text.
site_page alpha 6 "<script>document.body.setAttribute('data-pwned','script')</script> was quoted in the report.
</textarea></pre><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> closes the box.
<a href=\"javascript:document.body.setAttribute('data-pwned','link')\">click</a> or javascript:alert(1) here.
$(printf 'The invoice \342\200\256gpj.exe was sent, said the clerk.')" >"$in/alpha/hostile.txt"
cp "$in/alpha/story-2.txt" "$in/beta/<img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">.txt"
# A web page whose text holds markup as text (entities in the HTML).
cat >"$in/gamma/page.html" <<'EOF'
<!doctype html><html><head><title>Gamma</title><script>document.body.setAttribute('data-pwned','page-script')</script></head>
<body><nav><a href="/">Home</a> <a href="/a">Archive</a> <a href="/b">About</a></nav>
<main><h1>Gamma's own story</h1>
<p>A long paragraph of the page's own text that tells its story with enough words to be the main text of the page.</p>
<p>It quotes &lt;img src=x onerror="document.body.setAttribute('data-pwned','model')"&gt; and &lt;/textarea&gt; as text.</p>
<p>Another paragraph of the article, long enough to count as prose for the main text of this page.</p>
</main><footer>Gamma footer line</footer></body></html>
EOF

"$DUPSTRIP" clean "$in" -o "$work/out" --report "$work/report.jsonl" --review "$work/review" --review-docs 50 -q
rev=$work/review
[[ -f $rev/index.html ]] || { echo "FAIL: no review written"; exit 1; }

# ------------------------------------------------------------------ the browser
chromium_run() {  # chromium_run ARGS...: one headless Chromium with a profile of its own
  timeout 60 "$browser" --headless --disable-gpu --no-sandbox --no-first-run --disable-extensions \
    --user-data-dir="$work/profile-$BASHPID" "$@"
}
dump() {  # dump PAGE[?QUERY] OUT: the DOM after load and script
  chromium_run --dump-dom "file://$rev/$1" >"$2" 2>>"$work/chromium.log"
}
shot() {  # shot PAGE WIDTH HEIGHT OUT
  chromium_run --hide-scrollbars --window-size="$2,$3" --screenshot="$4" "file://$rev/$1" >>"$work/chromium.log" 2>&1
}
page_of() {  # page_of NAME-AS-ESCAPED: the document page of that document
  grep -l -F "<h1>Document: $1</h1>" "$rev"/doc-*.html | head -1 | xargs -r basename
}
mkdir -p "$work/dom" "$work/shots"
hostile=$(page_of "alpha/hostile.txt")
named=$(page_of "beta/&lt;img src=x onerror=&quot;document.body.setAttribute(&#39;data-pwned&#39;,&#39;name&#39;)&quot;&gt;.txt")
web=$(page_of "gamma/page.html")
[[ -n $hostile && -n $named && -n $web ]] || { echo "FAIL: document pages not found ($hostile/$named/$web)"; exit 1; }
pages=(index.html clusters.html site-1.html diff-1.html "$hostile" "$named" "$web")
# Ten Chromium starts, two at a time (two cores): 1.5 to 3 seconds each.
tasks=()
for p in "${pages[@]}"; do tasks+=("dump $p $work/dom/$p"); done
tasks+=("dump docs.html?reason=links $work/dom/docs-links.html"
        "shot index.html 1280 1600 $work/shots/index.png"
        "shot $hostile 390 1400 $work/shots/document-phone.png")
for task in "${tasks[@]}"; do
  # shellcheck disable=SC2086  # a task is a function name and its words (no spaces in them)
  $task &
  while [[ $(jobs -rp | wc -l) -ge 2 ]]; do wait -n || true; done
done
wait

# ------------------------------------------------------------------ the checks
python3 - "$work" "${pages[@]}" <<'PY'
import html.parser, json, re, sys

work, pages = sys.argv[1], sys.argv[2:]
failures = []
def check(ok, what):
    if not ok:
        failures.append(what)

class dom(html.parser.HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.script_bodies = [], [], [], []
        self.in_script = False
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        self.in_script = tag == 'script'
    def handle_endtag(self, tag):
        if tag == 'script':
            self.in_script = False
    def handle_data(self, data):
        if self.in_script:
            self.script_bodies.append(data)
        self.text.append(data)

allowed_tags = {'html', 'head', 'meta', 'title', 'link', 'script', 'body', 'a', 'header', 'nav', 'button', 'kbd',
                'section', 'h1', 'h2', 'h3', 'dl', 'dt', 'dd', 'main', 'p', 'code', 'div', 'span', 'table', 'thead',
                'tbody', 'tr', 'th', 'td', 'ul', 'li', 'figure', 'figcaption', 'svg', 'defs', 'pattern', 'rect',
                'path', 'circle', 'text', 'line', 'g', 'label', 'input', 'select', 'option', 'pre', 'mark', 'footer',
                'del', 'ins', 'br'}
link = re.compile(r"^(#[\w-]+|[a-z0-9-]+\.(html|css|js)(\?[\w=&-]+)?(#[\w-]+)?|url\(#[\w-]+\))$")
texts = {}
for page in pages + ['docs-links.html']:
    d = dom(open(f'{work}/dom/{page}', encoding='utf-8').read())
    text = ''.join(d.text)
    texts[page] = text
    where = f'{page}: '
    check('html' in d.tags, where + 'no DOM dumped')
    html_attrs = next(a for t, a in d.attrs if t == 'html')
    check(html_attrs.get('data-js') == 'ready', where + "the review's script did not run")
    for tag, attrs in d.attrs:
        check(tag in allowed_tags, where + f'an element the review does not make: <{tag}>')
        check('data-pwned' not in attrs, where + f'injected code ran: data-pwned={attrs.get("data-pwned")}')
        for name, value in attrs.items():
            check(not name.startswith('on'), where + f'an event handler attribute {name} on <{tag}>')
            if name in ('href', 'src') or (name == 'fill' and value and value.startswith('url')):
                check(bool(link.match(value or '')), where + f'a link or source outside the review: {name}={value!r}')
    scripts = [a for t, a in d.attrs if t == 'script']
    check(len(scripts) == 1 and scripts[0].get('src') == 'review.js', where + f'scripts: {scripts}')
    check(not ''.join(d.script_bodies).strip(), where + 'an inline script')
    check('\u202e' not in text, where + 'a raw U+202E in the text')

# The counts, from the report's summary.
summary = [json.loads(l) for l in open(f'{work}/report.jsonl') if '"summary"' in l][0]['data']
index = re.sub(r'\s+', ' ', texts['index.html'])
docs = summary['read'] + summary['skipped']
for value, label in [(docs, 'documents in the report'), (summary['kept'], 'kept'),
                     (summary['dropped'], 'dropped as near-duplicates'), (summary['clusters'], 'near-duplicate clusters'),
                     (summary['lines_stripped'], 'non-blank lines stripped')]:
    check(f'{value:,}{label}' in index, f'index.html: "{value} {label}" not shown')
check(summary['dropped'] >= 1, 'the corpus has no near-duplicate')
# The hostile texts, as text.
alltext = ''.join(texts.values())
for needle in ["<script>document.body.setAttribute('data-pwned','script')</script>",
               "</textarea></pre><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
               "<a href=\"javascript:document.body.setAttribute('data-pwned','link')\">click</a>",
               "javascript:alert(1)", "\u27e6U+202E\u27e7gpj.exe",
               "<img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">.txt",
               "<img src=x onerror=\"document.body.setAttribute('data-pwned','model')\">"]:
    check(needle in alltext, f'not shown as text: {needle!r}')
# The documents table and its filter (by the script, from the query string).
filtered = open(f'{work}/dom/docs-links.html', encoding='utf-8').read()
rows = len(re.findall(r'<tr data-name=', filtered))
check(rows == len([l for l in open(f'{work}/report.jsonl') if '"type":"doc"' in l]), f'docs.html: {rows} rows')
hidden = len(re.findall(r'<tr [^>]*hidden', filtered))
shown = len(re.findall(r'<tr data-name="[^"]*" data-site="[^"]*" data-reasons="[^"]*links[^"]*"(?![^>]*hidden)', filtered))
check(shown == 1 and hidden == rows - 1 and f'1 of {rows} rows on this page shown' in texts['docs-links.html'],
      f'docs.html?reason=links: {shown} shown, {hidden} hidden of {rows}')
# A document page marks removed ranges with their evidence; a diff shows the copy.
doc_pages = [p for p in pages if p.startswith('doc-')]
check(any('Boilerplate: on ' in open(f'{work}/dom/{p}', encoding='utf-8').read() for p in doc_pages),
      'no boilerplate evidence on the document pages')
check('only in the dropped copy' in texts['diff-1.html'] or 'equal' in texts['diff-1.html'], 'diff-1.html: no diff')

if failures:
    print('\n'.join('FAIL: ' + f for f in failures))
    sys.exit(1)
print(f'review_browser.sh: {len(pages) + 1} pages checked in Chromium: counts, hostile texts inert, filters work')
PY

for s in index document-phone; do
  f=$work/shots/$s.png
  if [[ ! -s $f ]] || [[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') != 89504e470d0a1a0a ]]; then
    echo "FAIL: screenshot $s.png not written"; exit 1
  fi
done
echo "review_browser.sh: screenshots taken ($(du -cb "$work"/shots/*.png | tail -1 | cut -f1) bytes)"
if [[ -n ${REVIEW_SCREENSHOTS:-} ]]; then
  mkdir -p "$REVIEW_SCREENSHOTS"
  cp "$work"/shots/*.png "$REVIEW_SCREENSHOTS"/
fi
