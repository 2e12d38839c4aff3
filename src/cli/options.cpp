// CLI11 definitions of every subcommand and option. One line of help per option, grouped as
// Input / Similarity / Boilerplate / Output (STYLE.md §5).
#include "options.hpp"

namespace dupstrip::cli {

namespace {

void add_input(CLI::App& sub, cli_args& a) {
  sub.add_option("INPUT", a.input,
                 "Folder of documents (walked recursively), a JSONL file (.jsonl, .gz, .zst) or - for JSONL on stdin")
      ->group("Input");
  sub.add_option("--files-from", a.files_from,
                 "Read the input paths from FILE (- = stdin), one a line or NUL-separated")->group("Input");
  sub.add_option("--group-by", a.group_by,
                 "Boilerplate groups: folder (top-level folder = one site; default for folders), field "
                 "(--group-field; default for JSONL when given) or none")
      ->check(CLI::IsMember({"folder", "field", "none"}))->group("Input");
  sub.add_option("--text-field", a.text_field,
                 "JSONL: field holding the text (default text); with --html-field, the field the cleaned text is written to")
      ->group("Input");
  sub.add_option("--input-format", a.input_format,
                 "Read documents as text, html or auto (default: .html .htm .xhtml .shtml files, and files starting "
                 "with <!doctype html or <html, are web pages; their output is FILE.txt, one block of the page a line)")
      ->check(CLI::IsMember({"text", "html", "auto"}))->group("Input");
  sub.add_option("--html-field", a.html_field,
                 "JSONL: read each record's web page from this field; the cleaned text goes to --text-field, every "
                 "other field is kept")
      ->group("Input");
  sub.add_option("--id-field", a.id_field, "JSONL: field naming the record in reports (default id; else FILE:LINE)")
      ->group("Input");
  sub.add_option("--group-field", a.group_field,
                 "JSONL: boilerplate group field; a URL value groups by its host (implies --group-by field)")
      ->group("Input");
  sub.add_option("--root", a.root,
                 "With --files-from: the listed paths are relative to this folder, and names and groups are "
                 "those of `clean ROOT` (for shards of a folder)")
      ->group("Input");
  sub.add_flag("--strict", a.strict, "Stop at the first malformed JSONL line or unreadable input (exit 2)")
      ->group("Input");
}

void add_algorithm(CLI::App& sub, cli_args& a) {
  auto& o = a.options;
  sub.add_option("--utf8", a.utf8, "Invalid UTF-8: replace (count U+FFFD), strict (skip the file), bytes")
      ->check(CLI::IsMember({"replace", "strict", "bytes"}))->group("Input");
  sub.add_option("--max-size", o.max_document_bytes, "Skip documents larger than this many bytes")
      ->check(CLI::Range(std::uint64_t{1}, (std::uint64_t{1} << 32) - 1))->group("Input");

  sub.add_option("--threshold", o.threshold, "Estimated Jaccard of content at or above which documents are duplicates")
      ->check(CLI::Range(0.0, 1.0))->group("Similarity");
  sub.add_option("--shingle-size", o.shingle_size, "Longest document shingle in tokens (words; characters for CJK)")
      ->check(CLI::Range(1, 64))->group("Similarity");
  sub.add_option("--min-shingle-size", o.min_shingle_size, "Shortest document shingle; every size in between is used")
      ->check(CLI::Range(1, 64))->group("Similarity");
  sub.add_option("--num-perm", o.num_perm, "MinHash signature length")->check(CLI::Range(1, 4096))->group("Similarity");
  sub.add_option("--bands", o.bands, "LSH bands (default: chosen from --threshold)")->group("Similarity");
  sub.add_option("--rows", o.rows, "LSH rows per band (default: chosen from --threshold)")->group("Similarity");
  sub.add_option("--seed", o.seed, "Master seed of the hash functions")->group("Similarity");
  sub.add_option("--keep", a.keep, "Copy kept per duplicate cluster: longest (most content; ties by name) or first (by name)")
      ->check(CLI::IsMember({"longest", "first"}))->group("Similarity");

  sub.add_option("--min-boilerplate-pages", o.min_boilerplate_pages,
                 "A line on this many pages of a group is boilerplate (fewer in groups this small: all pages)")
      ->check(CLI::Range(2, 1 << 30))->group("Boilerplate");
  sub.add_option("--boilerplate-fraction", o.boilerplate_fraction,
                 "... and on at least this fraction of the group's pages")
      ->check(CLI::Range(0.0, 1.0))->group("Boilerplate");
  sub.add_option("--block-similarity", o.block_similarity, "Near-identical template lines: estimated Jaccard of 3-shingles")
      ->check(CLI::Range(0.01, 1.0))->group("Boilerplate");
  sub.add_option("--flow-tokens", o.flow_tokens,
                 "Article flow guard: a shared line next to a page's own line of this many tokens stays there "
                 "unless the site shows it so on --min-boilerplate-pages pages (0 = off)")
      ->check(CLI::Range(0, 1 << 30))->group("Boilerplate");
  sub.add_option("--corpus-sites", o.corpus_min_sites,
                 "A line on this many sites (groups) of the run is boilerplate outside an article flow (0 = off)")
      ->check(CLI::Range(0, 1 << 30))->group("Boilerplate");
  sub.add_option("--template-lines", o.template_lines,
                 "Template lines: a line whose first/last tokens recur around changing text on boilerplate's "
                 "share of a site's pages, \"Read more: <title>\" (true/false)")
      ->group("Boilerplate");
  sub.add_option("--min-repeat-tokens", o.min_repeat_tokens, "A run repeated inside a document must hold this many tokens")
      ->check(CLI::Range(1, 1 << 30))->group("Boilerplate");
  sub.add_option("--line-repeat-run", o.min_line_repeat_run,
                 "Remove the later copy of a run of this many short lines printed twice in a page, a menu (0 = off)")
      ->check(CLI::Range(0, 1 << 30))->group("Boilerplate");
  sub.add_option("--max-strip-fraction", o.max_strip_fraction,
                 "Above this share of a document's text, keep only the surest removals and warn")
      ->check(CLI::Range(0.01, 1.0))->group("Boilerplate");

}

// --jobs, --quiet, --verbose: every subcommand has them.
void add_run_flags(CLI::App& sub, cli_args& a) {
  sub.add_option("-j,--jobs", a.options.jobs, "Worker threads (0 = all cores); output never depends on it")->group("Output");
  sub.add_flag("-q,--quiet", a.quiet, "Print errors only")->group("Output");
  sub.add_flag("-v,--verbose", a.verbose, "Print more (per-file notes)")->group("Output");
  sub.add_option("--temp-dir", a.options.temp_dir,
                 "Folder for the run's temporary files (fingerprints kept out of memory, deleted at exit; "
                 "default $TMPDIR, else /tmp)")
      ->group("Output");
}

void add_review_docs(CLI::App& sub, cli_args& a) {
  sub.add_option("--review-docs", a.review_docs,
                 "Review: documents shown with their text (safety-rail hits, most stripped, a fixed-seed sample; "
                 "default 200)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 20))->group("Output");
}

void add_output(CLI::App& sub, cli_args& a) {
  sub.add_option("--report", a.report, "Write the JSON Lines report of every decision to this file")->group("Output");
  add_run_flags(sub, a);
  sub.add_option("--progress", a.progress, "Progress line on stderr: auto (terminal only), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))->group("Output");
  sub.add_flag("--json", a.json, "Print the summary as one JSON object on stdout")->group("Output");
}

}  // namespace

void define(CLI::App& app, cli_args& a) {
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  dupstrip clean crawl/ -o cleaned/ --report report.jsonl\n"
      "  dupstrip clean crawl/ -o cleaned/ --threshold 0.7 --jobs 8\n"
      "  zstdcat crawl.jsonl.zst | dupstrip clean - -o - --group-field url | zstd > clean.jsonl.zst\n"
      "  dupstrip clean shards/ -o clean.jsonl.zst   # a folder of .jsonl(.gz|.zst) shards\n"
      "  dupstrip scan crawl/ --report report.jsonl     # decide, write no documents\n"
      "  dupstrip scan part-3.jsonl --fingerprints p3.dsfp   # scale-out; see doc/scaleout.md\n"
      "  dupstrip review report.jsonl crawl/ -o review/    # HTML review of a run; see doc/review.md\n"
      "\n"
      "Exit codes: 0 all inputs processed; 1 finished, some inputs skipped (see stderr);\n"
      "            2 usage error or nothing could be processed.");
  CLI::App* clean = app.add_subcommand("clean", "Strip repeated blocks and boilerplate, drop near-duplicates, write OUTPUT");
  add_input(*clean, a);
  add_algorithm(*clean, a);
  add_output(*clean, a);
  clean->add_option("-o,--output", a.output,
                    "Output: a folder (mirrors INPUT; not inside INPUT), a .jsonl/.ndjson file (.gz, .zst "
                    "compressed), or - for JSONL on stdout")
      ->required()->group("Output");
  clean->add_flag("--annotate", a.annotate,
                  "JSONL output: keep every record unchanged and add a \"dupstrip\" object with the decisions")
      ->group("Output");
  clean->add_flag("--force", a.force, "Write into an existing, non-empty output folder")->group("Output");
  clean->add_option("--review", a.review,
                    "Also write the review of the run to this folder, after the report (static HTML; open "
                    "DIR/index.html)")
      ->group("Output");
  add_review_docs(*clean, a);
  clean->callback([&a] { a.command = "clean"; });
  CLI::App* scan = app.add_subcommand(
      "scan", "Do the analysis of clean and write only the report; or, with --fingerprints, pass 1 of one shard");
  add_input(*scan, a);
  add_algorithm(*scan, a);
  add_output(*scan, a);
  scan->add_option("--fingerprints", a.fingerprints,
                   "Scale-out: write this shard's fingerprints to FILE (.dsfp) for `dupstrip merge`")
      ->group("Scale-out");
  scan->add_option("--state", a.state,
                   "Scale-out: a content round: fingerprint the shard's documents that this merge state lists")
      ->group("Scale-out");
  scan->add_option("--review", a.review,
                   "Also write the review of the run to this folder, after the report (static HTML)")
      ->group("Output");
  add_review_docs(*scan, a);
  scan->callback([&a] { a.command = "scan"; });

  CLI::App* review = app.add_subcommand(
      "review", "Write a static HTML review of a run (what was removed and dropped, and why) from its report and INPUT");
  review->add_option("REPORT", a.review_report, "The run's JSON Lines report (--report of clean or scan; .gz, .zst)")
      ->required()->group("Input");
  add_input(*review, a);
  review->add_option("-o,--output", a.review,
                     "The folder to write (new, empty, or an earlier review, which is replaced); open DIR/index.html")
      ->required()->group("Output");
  add_review_docs(*review, a);
  add_run_flags(*review, a);
  review->callback([&a] { a.command = "review"; });

  CLI::App* merge = app.add_subcommand(
      "merge", "Scale-out: merge shard fingerprints into a state (near-duplicate clusters, boilerplate, decisions)");
  merge->add_option("FINGERPRINTS", a.inputs,
                    "Fingerprint files: of `scan --fingerprints` (round 0, in corpus order), or of the content "
                    "round of --state (any order)")
      ->group("Input");
  merge->add_option("--state", a.state, "The state of the previous merge (for a content round, or to report)")
      ->group("Input");
  merge->add_option("-o,--output", a.output, "The state to write (.dsm)")->group("Output");
  merge->add_option("--report", a.report, "When the run is complete: write the JSON Lines report of clean")
      ->group("Output");
  add_run_flags(*merge, a);
  merge->add_flag("--json", a.json, "Print the merge status as one JSON object on stdout")->group("Output");
  merge->callback([&a] { a.command = "merge"; });

  CLI::App* apply_cmd = app.add_subcommand(
      "apply", "Scale-out: write one shard's cleaned documents as a complete merge state decided");
  add_input(*apply_cmd, a);
  add_output(*apply_cmd, a);
  apply_cmd->add_option("--state", a.state, "The complete merge state (.dsm)")->required()->group("Scale-out");
  apply_cmd->add_option("-o,--output", a.output,
                        "Output: a folder (shards may share one), a .jsonl/.ndjson file, or - for JSONL on stdout")
      ->required()->group("Output");
  apply_cmd->add_flag("--annotate", a.annotate,
                      "JSONL output: keep every record unchanged and add a \"dupstrip\" object with the decisions")
      ->group("Output");
  apply_cmd->callback([&a] { a.command = "apply"; });
}

}  // namespace dupstrip::cli
