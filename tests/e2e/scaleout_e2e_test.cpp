// End-to-end tests of the scale-out commands (scan --fingerprints, merge, content rounds with
// scan --state, apply --state): a sharded run gives the output folder (or JSONL file) and the
// report of `clean` byte for byte; retried tasks are harmless; unusable fingerprint and state
// files end the step with exit code 2, a message naming the file and the reason, and no output;
// the files do not depend on --jobs.
#include "support/corpus.hpp"
#include "support/run_binary.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using dupstrip_test::read_text;
using dupstrip_test::run_result;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Runs dupstrip with its stdout and stderr captured in `io` (kept apart from the folders whose
// listings the tests compare).
run_result run(const std::string& args, const fs::path& io) {
  fs::create_directories(io);
  return dupstrip_test::run_dupstrip(args, io);
}

// Binary files are compared without printing them.
bool same_bytes(const fs::path& a, const fs::path& b) { return read_text(a) == read_text(b); }
bool has_bytes(const fs::path& p, const std::string& bytes) { return read_text(p) == bytes; }

bool complete_in(const std::string& merge_json) { return merge_json.find("\"complete\":true") != std::string::npos; }

// Every regular file under root (relative path -> bytes).
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  if (!fs::exists(root)) return m;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) m[fs::relative(e.path(), root).generic_string()] = read_text(e.path());
  return m;
}

// Names of the entries of a folder (not recursive).
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> s;
  for (const auto& e : fs::directory_iterator(dir)) s.insert(e.path().filename().string());
  return s;
}

// "" when the trees hold the same files with the same bytes, else what differs first.
std::string tree_difference(const fs::path& expected, const fs::path& got) {
  const auto a = snapshot(expected);
  const auto b = snapshot(got);
  if (a.empty()) return "no files in " + expected.string();
  for (const auto& [rel, bytes] : a) {
    const auto it = b.find(rel);
    if (it == b.end()) return "missing " + rel;
    if (it->second != bytes) return "different bytes in " + rel;
  }
  for (const auto& [rel, bytes] : b)
    if (a.find(rel) == a.end()) return "extra file " + rel;
  return "";
}

// "" when equal, else the first differing line of both texts.
std::string text_difference(const std::string& expected, const std::string& got) {
  if (expected == got) return "";
  std::size_t line = 1;
  std::size_t i = 0;
  while (i < expected.size() && i < got.size() && expected[i] == got[i]) {
    if (expected[i] == '\n') ++line;
    ++i;
  }
  auto line_at = [&](const std::string& s) {
    const std::size_t b = s.rfind('\n', i == 0 ? 0 : i - 1);
    const std::size_t from = b == std::string::npos || i == 0 ? 0 : b + 1;
    return s.substr(from, std::min<std::size_t>(300, s.find('\n', from) - from));
  };
  return "line " + std::to_string(line) + ":\n  expected: " + line_at(expected) + "\n  got:      " + line_at(got) +
         "\n  (sizes " + std::to_string(expected.size()) + " and " + std::to_string(got.size()) + ")";
}

// The lines of a report that are doc records.
std::string doc_records(const std::string& report) {
  std::string out;
  std::size_t pos = 0;
  while (pos < report.size()) {
    const std::size_t nl = report.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? report.size() : nl + 1;
    if (report.compare(pos, 16, "{\"type\":\"doc\",\"d") == 0) out += report.substr(pos, end - pos);
    pos = end;
  }
  return out;
}

dupstrip_test::generated_corpus make_corpus(int sites, int articles, std::uint64_t seed) {
  dupstrip_test::corpus_params p;
  p.sites = sites;
  p.articles_per_site = articles;
  p.p_repeat = 0.3;
  p.p_syndicate = 0.35;
  p.p_exact = 0.1;
  return dupstrip_test::generate_corpus(p, seed);
}

// A site whose pages need a second content round (the refine check of doc/algorithm.md, step 8)
// at --threshold 0.6: heavy furniture makes the pages with short bodies one pre-cluster, so
// the line they share counts once and stays; once their content keeps them apart, the line is
// on enough kept pages to be boilerplate, and those pages are fingerprinted again. The pages
// carrying the line are among the first six, so that shards split them and the last
// shard of three has none.
std::map<std::string, std::string> make_refine_site(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const char* const syllables[] = {"ba", "lor", "mi", "ten", "qua", "vel", "ros", "di", "an", "ke",
                                   "sul", "po", "ri", "gan", "te", "mor", "vi", "ha", "zen", "lu"};
  auto line = [&](int words) {
    std::string s;
    for (int w = 0; w < words; ++w) {
      if (w != 0) s += ' ';
      const std::uint64_t n = 1 + dupstrip_test::pick(rng, 3);
      for (std::uint64_t k = 0; k < n; ++k) s += syllables[dupstrip_test::pick(rng, 20)];
    }
    return s + ".\n";
  };
  std::vector<std::string> furniture;
  for (int k = 0; k < 25; ++k) furniture.push_back(line(10));
  std::map<std::string, std::string> pages;
  for (int i = 0; i < 9; ++i) {
    const bool short_body = i == 0 || i == 2 || i == 4 || i == 5;
    std::string page;
    for (int k = 0; k < 12; ++k) page += furniture[static_cast<std::size_t>(k)];
    for (int k = 0; k < (short_body ? 5 : 8); ++k) page += line(short_body ? 12 : 40);
    if (short_body) page += "Also see the winter walking guide for families\n";
    for (int k = 12; k < 25; ++k) page += furniture[static_cast<std::size_t>(k)];
    pages["site-refine/page-" + std::to_string(i) + ".txt"] = page;
  }
  return pages;
}

// The relative paths of the files under root, bytewise sorted (the order of `clean ROOT`).
std::vector<std::string> sorted_files(const fs::path& root) {
  std::vector<std::string> v;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) v.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(v.begin(), v.end());
  return v;
}

// `n` consecutive pieces of v, sizes differing by at most one.
template <class T>
std::vector<std::vector<T>> split_consecutive(const std::vector<T>& v, std::size_t n) {
  std::vector<std::vector<T>> out(n);
  std::size_t at = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t size = v.size() / n + (k < v.size() % n ? 1 : 0);
    out[k].assign(v.begin() + static_cast<std::ptrdiff_t>(at), v.begin() + static_cast<std::ptrdiff_t>(at + size));
    at += size;
  }
  return out;
}

// Writes --files-from lists for `n` consecutive shards of the folder `root` under `work` and
// returns each shard's input arguments.
std::vector<std::string> folder_shards(const fs::path& root, const fs::path& work, std::size_t n) {
  std::vector<std::string> args;
  const auto parts = split_consecutive(sorted_files(root), n);
  for (std::size_t k = 0; k < n; ++k) {
    std::string list;
    for (const std::string& rel : parts[k]) list += rel + "\n";
    const fs::path lp = work / ("list-" + std::to_string(k) + ".txt");
    write_text(lp, list);
    args.push_back("--files-from " + q(lp) + " --root " + q(root));
  }
  return args;
}

// A sharded run through the CLI. `shards` are each shard's input arguments, `input_opts` the
// input options of every scan and apply (--group-field...), `scan_opts` the options of pass 1.
class sharded_run {
 public:
  sharded_run(fs::path work, std::vector<std::string> shards, std::string input_opts = "", std::string scan_opts = "",
              std::string jobs = "-j2")
      : work_(std::move(work)), io_(work_ / "io"), shards_(std::move(shards)), input_opts_(std::move(input_opts)),
        scan_opts_(std::move(scan_opts)), jobs_(std::move(jobs)) {
    fs::create_directories(work_);
  }

  // Scans and applies of shards with skipped documents end with exit code 1.
  void allow_skipped() { max_exit_ = 1; }

  [[nodiscard]] const fs::path& work() const { return work_; }
  [[nodiscard]] const fs::path& io() const { return io_; }
  [[nodiscard]] const std::string& shard(std::size_t k) const { return shards_[k]; }
  [[nodiscard]] std::size_t size() const { return shards_.size(); }

  fs::path fingerprint(std::size_t k) const { return work_ / ("f-" + std::to_string(k) + ".dsfp"); }
  fs::path content(int round, std::size_t k) const {
    return work_ / ("c" + std::to_string(round) + "-" + std::to_string(k) + ".dsfp");
  }
  fs::path state(int round) const { return work_ / ("s" + std::to_string(round) + ".dsm"); }

  // A per-shard step: a shard may skip inputs (exit 1) only where the corpus has bad files.
  void run_shard_step(const std::string& args) const {
    const auto r = run(args, io_);
    INFO(r.err);
    REQUIRE(r.exit_code >= 0);
    REQUIRE(r.exit_code <= max_exit_);
  }

  // Pass 1 of every shard.
  void scan_all() const {
    for (std::size_t k = 0; k < size(); ++k) {
      run_shard_step("scan " + shards_[k] + " " + input_opts_ + " " + scan_opts_ + " --fingerprints " +
                     q(fingerprint(k)) + " -q " + jobs_);
    }
  }

  // The first merge; returns whether it is complete.
  bool merge_first() {
    std::string files;
    for (std::size_t k = 0; k < size(); ++k) files += " " + q(fingerprint(k));
    const auto r = run("merge" + files + " -o " + q(state(0)) + " --json -q " + jobs_, io_);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    round_ = 0;
    return complete_in(r.out);
  }

  // The content scans of the current round, for every shard.
  void scan_content() const {
    for (std::size_t k = 0; k < size(); ++k) {
      run_shard_step("scan " + shards_[k] + " " + input_opts_ + " --state " + q(state(round_)) +
                     " --fingerprints " + q(content(round_, k)) + " -q " + jobs_);
    }
  }

  // Merges the current round's content files; returns whether the run is complete.
  bool merge_content() {
    std::string files;
    for (std::size_t k = 0; k < size(); ++k) files += " " + q(content(round_, k));
    const auto r =
        run("merge --state " + q(state(round_)) + files + " -o " + q(state(round_ + 1)) + " --json -q " + jobs_, io_);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    ++round_;
    last_json_ = r.out;
    return complete_in(r.out);
  }

  // The JSON status printed by the last content merge.
  [[nodiscard]] const std::string& last_json() const { return last_json_; }

  // Content rounds until the state is complete; returns the final state.
  fs::path finish(bool complete) {
    while (!complete) {
      REQUIRE(round_ < 8);
      scan_content();
      complete = merge_content();
    }
    return state(round_);
  }

  // Everything up to the complete state.
  fs::path decide() {
    scan_all();
    return finish(merge_first());
  }

  // The full report of the complete state.
  std::string full_report(const fs::path& final_state) const {
    const fs::path rep = work_ / "full.jsonl";
    const auto r = run("merge --state " + q(final_state) + " --report " + q(rep) + " -q", io_);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return read_text(rep);
  }

  // Applies every shard; `out(k)` is shard k's output; returns the concatenated shard reports.
  template <class Out>
  std::string apply_all(const fs::path& final_state, Out out) const {
    std::string reports;
    for (std::size_t k = 0; k < size(); ++k) {
      const fs::path rep = work_ / ("apply-" + std::to_string(k) + ".jsonl");
      run_shard_step("apply --state " + q(final_state) + " " + shards_[k] + " " + input_opts_ + " -o " + q(out(k)) +
                     " --report " + q(rep) + " -q " + jobs_);
      reports += read_text(rep);
    }
    return reports;
  }

  [[nodiscard]] int rounds() const { return round_; }

 private:
  fs::path work_;
  fs::path io_;
  std::vector<std::string> shards_;
  std::string input_opts_;
  std::string scan_opts_;
  std::string jobs_;
  int round_ = 0;
  int max_exit_ = 0;
  std::string last_json_;
};

// Flips the middle byte of the payload of the largest section of a fingerprint or state file
// (the layout is in src/dupstrip/shard_file.hpp: a 16-byte header, then sections of a 16-byte
// head, the payload and an 8-byte checksum).
void flip_payload_byte(const fs::path& p) {
  std::string b = read_text(p);
  REQUIRE(b.size() > 16);
  std::size_t pos = 16;
  std::size_t best_at = 0;
  std::uint64_t best_len = 0;
  while (pos + 16 <= b.size()) {
    std::uint64_t len = 0;
    std::memcpy(&len, b.data() + pos + 8, 8);
    if (len > best_len) {
      best_len = len;
      best_at = pos + 16;
    }
    pos += 16 + len + 8;
  }
  REQUIRE(pos == b.size());
  REQUIRE(best_len > 0);
  b[best_at + best_len / 2] = static_cast<char>(b[best_at + best_len / 2] ^ 0x20);
  write_text(p, b);
}

// Checks that a failing merge exits with 2, says each of `words` on stderr, and leaves no file
// behind (neither -o nor a temporary).
void expect_merge_fails(const std::string& args, const fs::path& out, const fs::path& io,
                        const std::vector<std::string>& words) {
  const fs::path dir = out.parent_path();
  const auto before = listing(dir);
  const auto r = run("merge " + args + " -o " + q(out), io);
  INFO("merge " << args << "\nstderr: " << r.err);
  CHECK(r.exit_code == 2);
  for (const std::string& w : words) CHECK_THAT(r.err, Contains(w));
  CHECK_FALSE(fs::exists(out));
  CHECK(listing(dir) == before);
}

}  // namespace

TEST_CASE("scale-out over 1, 3 and 7 folder shards writes the folder and the report of clean", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  const auto c = make_corpus(3, 20, 20261130);
  dupstrip_test::write_corpus(in, c);
  REQUIRE(c.pages.size() >= 60);
  // Documents that are skipped (binary; invalid UTF-8 with --utf8 strict; too large with
  // --max-size) or read with replacements, spread over the shards.
  write_text(in / "a-first/binary.txt", std::string("Binary\0data\n", 12));
  const std::string& any_page = c.pages.begin()->second;
  const std::string& middle = std::next(c.pages.begin(), 30)->first;
  const std::string site_1 = middle.substr(0, middle.find('/'));
  write_text(in / site_1 / "page-latin1.txt", any_page.substr(0, 300) + "caf\xE9 cr\xE8me\n" + any_page.substr(300));
  std::string big;
  while (big.size() < 25000) big += any_page;
  write_text(in / "z-last/big.txt", big);
  const std::vector<std::string> option_sets = {
      "", "--threshold 0.7 --keep first --min-repeat-tokens 30 --utf8 strict --max-size 20000"};
  for (std::size_t o = 0; o < option_sets.size(); ++o) {
    const std::string& opts = option_sets[o];
    INFO("options: " << opts);
    const fs::path ref = t.path() / ("ref-" + std::to_string(o));
    const fs::path ref_report = t.path() / ("ref-" + std::to_string(o) + ".jsonl");
    const auto r = run("clean " + q(in) + " -o " + q(ref) + " --report " + q(ref_report) + " " + opts + " -q -j2",
                       t.path() / "io");
    REQUIRE(r.exit_code == 1);  // skipped documents
    const std::string expected_report = read_text(ref_report);
    REQUIRE(expected_report.find("\"status\":\"dropped\"") != std::string::npos);
    REQUIRE(expected_report.find("\"reason\":\"repeat\"") != std::string::npos);
    REQUIRE(expected_report.find("\"reason\":\"boilerplate\"") != std::string::npos);
    REQUIRE(expected_report.find("\"reason\":\"binary file (NUL byte)\"") != std::string::npos);
    if (o == 1) {
      REQUIRE(expected_report.find("\"reason\":\"invalid UTF-8 at byte 303\"") != std::string::npos);
      REQUIRE(expected_report.find("\"reason\":\"file too large\"") != std::string::npos);
    } else {
      REQUIRE(expected_report.find("\"utf8_replacements\":2") != std::string::npos);
    }
    for (const std::size_t n : {1U, 3U, 7U}) {
      INFO(n << " shards");
      const fs::path work = t.path() / ("w-" + std::to_string(o) + "-" + std::to_string(n));
      sharded_run s(work, folder_shards(in, work, n), "", opts);
      s.allow_skipped();
      const fs::path final_state = s.decide();
      CHECK(s.rounds() >= 1);  // pass 1 alone never decides the content
      CHECK(text_difference(expected_report, s.full_report(final_state)) == "");
      const std::string shard_reports = s.apply_all(final_state, [&](std::size_t) { return work / "out"; });
      CHECK(tree_difference(ref, work / "out") == "");
      // The shard reports of apply are the doc records of the full report, in order.
      CHECK(text_difference(doc_records(expected_report), shard_reports) == "");
    }
  }
}

TEST_CASE("scale-out: a corpus that needs a second content round gives clean's output", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  for (const auto& [rel, page] : make_refine_site(3)) write_text(in / rel, page);
  const std::string opts = "--threshold 0.6";
  const fs::path ref = t.path() / "ref";
  const fs::path ref_report = t.path() / "ref.jsonl";
  REQUIRE(run("clean " + q(in) + " -o " + q(ref) + " --report " + q(ref_report) + " " + opts + " -q", t.path() / "io")
              .exit_code == 0);
  const std::string expected_report = read_text(ref_report);
  for (const std::size_t n : {1U, 3U, 9U}) {
    INFO(n << " shards");
    const fs::path work = t.path() / ("w-" + std::to_string(n));
    sharded_run s(work, folder_shards(in, work, n), "", opts);
    s.scan_all();
    REQUIRE_FALSE(s.merge_first());
    s.scan_content();
    REQUIRE_FALSE(s.merge_content());
    // Round 1 lists only the pages that carried the shared line: in 3 shards, none of the last.
    if (n == 3) CHECK_THAT(s.last_json(), Contains("{\"index\":2,\"label\":{\"text\":\"" +
                                                    (work / "list-2.txt").string() + "\"},\"documents\":3,\"pending\":0}"));
    const fs::path final_state = s.finish(false);
    CHECK(s.rounds() >= 2);
    CHECK(text_difference(expected_report, s.full_report(final_state)) == "");
    const std::string shard_reports = s.apply_all(final_state, [&](std::size_t) { return work / "out"; });
    CHECK(tree_difference(ref, work / "out") == "");
    CHECK(text_difference(doc_records(expected_report), shard_reports) == "");
  }
  // The shared line is gone from every kept page, and no page was dropped.
  for (const auto& [rel, bytes] : snapshot(ref)) CHECK(bytes.find("winter walking guide") == std::string::npos);
  CHECK(snapshot(ref).size() == 9);
}

TEST_CASE("scale-out: a shard of more than 1,024 documents (several sections)", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  const auto c = make_corpus(4, 250, 5150);
  dupstrip_test::write_corpus(in, c);
  const auto files = sorted_files(in);
  REQUIRE(files.size() > 1100);
  const fs::path ref = t.path() / "ref";
  const fs::path ref_report = t.path() / "ref.jsonl";
  REQUIRE(run("clean " + q(in) + " -o " + q(ref) + " --report " + q(ref_report) + " -q -j2", t.path() / "io")
              .exit_code == 0);
  // Shard 0: the first 1,030 files (two chunks of documents); shard 1: the rest.
  const fs::path work = t.path() / "w";
  std::string lists[2];
  for (std::size_t i = 0; i < files.size(); ++i) lists[i < 1030 ? 0 : 1] += files[i] + "\n";
  std::vector<std::string> shards;
  for (std::size_t k = 0; k < 2; ++k) {
    write_text(work / ("list-" + std::to_string(k) + ".txt"), lists[k]);
    shards.push_back("--files-from " + q(work / ("list-" + std::to_string(k) + ".txt")) + " --root " + q(in));
  }
  sharded_run s(work, shards);
  const fs::path final_state = s.decide();
  CHECK(text_difference(read_text(ref_report), s.full_report(final_state)) == "");
  s.apply_all(final_state, [&](std::size_t) { return work / "out"; });
  CHECK(tree_difference(ref, work / "out") == "");
}

TEST_CASE("scale-out over 3 JSONL shard files writes the JSONL and the report of clean", "[scaleout][e2e][jsonl]") {
  temp_dir t;
  const auto c = make_corpus(3, 20, 4242);
  // Records with extra fields; every seventh without an id (named FILE:LINE).
  std::vector<std::string> records;
  int n = 0;
  for (const auto& [rel, page] : c.pages) {
    const std::string site = rel.substr(0, rel.find('/'));
    std::string text;
    for (const char ch : page) {
      if (ch == '\n') text += "\\n";
      else if (ch == '"') text += "\\\"";
      else text.push_back(ch);
    }
    std::string rec = "{\"url\": \"https://" + site + ".example/" + rel + "\"";
    if (n % 7 != 3) rec += ", \"id\":\"" + rel + "\"";
    rec += ", \"n\": " + std::to_string(n) + ", \"text\":\"" + text + "\", \"tail\":[1, {\"k\":\"\\u00e9\"}]}\n";
    records.push_back(rec);
    ++n;
  }
  const fs::path folder = t.path() / "shards";
  const auto parts = split_consecutive(records, 3);
  std::vector<std::string> shard_args;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    std::string text;
    for (const std::string& rec : parts[k]) text += rec;
    const fs::path file = folder / ("shard-" + std::to_string(k) + ".jsonl");
    write_text(file, text);
    shard_args.push_back(q(file));  // the path string clean builds for FOLDER's file
  }
  const std::vector<std::string> option_sets = {"", "--threshold 0.7 --keep first"};
  for (std::size_t o = 0; o < option_sets.size(); ++o) {
    const std::string& opts = option_sets[o];
    INFO("options: " << opts);
    const fs::path ref = t.path() / ("ref-" + std::to_string(o) + ".jsonl");
    const fs::path ref_report = t.path() / ("ref-report-" + std::to_string(o) + ".jsonl");
    const auto r = run("clean " + q(folder) + " -o " + q(ref) + " --group-field url --report " + q(ref_report) + " " +
                           opts + " -q -j2",
                       t.path() / "io");
    REQUIRE(r.exit_code == 0);
    const std::string expected = read_text(ref);
    const std::string expected_report = read_text(ref_report);
    REQUIRE(expected_report.find("\"status\":\"dropped\"") != std::string::npos);
    REQUIRE(expected_report.find("shard-0.jsonl:4\"}") != std::string::npos);  // a record without an id

    const fs::path work = t.path() / ("w-" + std::to_string(o));
    sharded_run s(work, shard_args, "--group-field url", opts);
    const fs::path final_state = s.decide();
    CHECK(text_difference(expected_report, s.full_report(final_state)) == "");
    const std::string shard_reports =
        s.apply_all(final_state, [&](std::size_t k) { return work / ("out-" + std::to_string(k) + ".jsonl"); });
    std::string joined;
    for (std::size_t k = 0; k < s.size(); ++k) joined += read_text(work / ("out-" + std::to_string(k) + ".jsonl"));
    CHECK(text_difference(expected, joined) == "");
    CHECK(text_difference(doc_records(expected_report), shard_reports) == "");

    // --annotate: duplicate_of names documents of other shards (corpus indices in the state).
    const fs::path ref_annotated = t.path() / ("ref-annotated-" + std::to_string(o) + ".jsonl");
    REQUIRE(run("clean " + q(folder) + " -o " + q(ref_annotated) + " --group-field url --annotate " + opts + " -q",
                t.path() / "io")
                .exit_code == 0);
    std::string annotated;
    for (std::size_t k = 0; k < s.size(); ++k) {
      const fs::path out = work / ("annotated-" + std::to_string(k) + ".jsonl");
      const auto ra = run("apply --state " + q(final_state) + " " + shard_args[k] + " --group-field url --annotate -o " +
                              q(out) + " -q",
                          t.path() / "io");
      INFO(ra.err);
      REQUIRE(ra.exit_code == 0);
      annotated += read_text(out);
    }
    CHECK(text_difference(read_text(ref_annotated), annotated) == "");
  }
}

TEST_CASE("scale-out: a task run twice is counted once", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  dupstrip_test::write_corpus(in, make_corpus(3, 12, 99));
  const fs::path io = t.path() / "io";
  REQUIRE(run("clean " + q(in) + " -o " + q(t.path() / "ref") + " -q", io).exit_code == 0);

  const fs::path work = t.path() / "w";
  sharded_run s(work, folder_shards(in, work, 3));
  s.scan_all();
  // A retried scan writes the same bytes.
  const fs::path again = work / "f-0-again.dsfp";
  REQUIRE(run("scan " + s.shard(0) + " --fingerprints " + q(again) + " -q", io).exit_code == 0);
  CHECK(same_bytes(again, s.fingerprint(0)));
  REQUIRE_FALSE(s.merge_first());
  const std::string once = read_text(s.state(0));

  const std::string f0 = q(s.fingerprint(0));
  const std::string f1 = q(s.fingerprint(1));
  const std::string f2 = q(s.fingerprint(2));
  for (const std::string& files : {f0 + " " + f0 + " " + f1 + " " + f2, f0 + " " + f1 + " " + q(again) + " " + f2,
                                   f0 + " " + f1 + " " + f2 + " " + f1 + " " + f2}) {
    INFO("merge " << files);
    const fs::path twice = work / "twice.dsm";
    fs::remove(twice);
    const auto r = run("merge " + files + " -o " + q(twice) + " --json", io);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("counted once"));
    CHECK_THAT(r.out, Contains("counted once"));  // in the JSON notes
    CHECK(has_bytes(twice, once));
  }

  // A content file given twice (the same file, or a retried content scan) is counted once, in
  // any order.
  s.scan_content();
  const fs::path c_again = work / "c0-1-again.dsfp";
  REQUIRE(run("scan " + s.shard(1) + " --state " + q(s.state(0)) + " --fingerprints " + q(c_again) + " -q", io)
              .exit_code == 0);
  CHECK(same_bytes(c_again, s.content(0, 1)));
  const std::string c0 = q(s.content(0, 0));
  const std::string c1 = q(s.content(0, 1));
  const std::string c2 = q(s.content(0, 2));
  REQUIRE(run("merge --state " + q(s.state(0)) + " " + c0 + " " + c1 + " " + c2 + " -o " + q(work / "n-once.dsm") +
                  " -q",
              io)
              .exit_code == 0);
  const std::string next_once = read_text(work / "n-once.dsm");
  for (const std::string& files :
       {c0 + " " + c1 + " " + c1 + " " + c2, c2 + " " + q(c_again) + " " + c0 + " " + c1, c0 + " " + c1 + " " + c2 + " " + c0}) {
    INFO("merge --state s0 " << files);
    const fs::path twice = work / "n-twice.dsm";
    fs::remove(twice);
    const auto r = run("merge --state " + q(s.state(0)) + " " + files + " -o " + q(twice), io);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Contains("counted once"));
    CHECK(has_bytes(twice, next_once));
  }

  // The run goes on from the state of the merge with repeated files: clean's output.
  const bool complete = s.merge_content();  // writes s1.dsm from the same files
  REQUIRE(has_bytes(s.state(1), next_once));
  const fs::path final_state = s.finish(complete);
  s.apply_all(final_state, [&](std::size_t) { return work / "out"; });
  CHECK(tree_difference(t.path() / "ref", work / "out") == "");
  // Applying a shard again into the same folder changes nothing.
  REQUIRE(run("apply --state " + q(final_state) + " " + s.shard(1) + " -o " + q(work / "out") + " -q", io).exit_code ==
          0);
  CHECK(tree_difference(t.path() / "ref", work / "out") == "");
}

TEST_CASE("scale-out: truncated and corrupt files are refused with the file's name", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  dupstrip_test::write_corpus(in, make_corpus(2, 10, 7));
  const fs::path io = t.path() / "io";
  const fs::path work = t.path() / "w";
  sharded_run s(work, folder_shards(in, work, 3));
  s.scan_all();
  const fs::path bad_dir = t.path() / "bad";
  fs::create_directories(bad_dir);
  const fs::path out = t.path() / "o" / "state.dsm";
  fs::create_directories(out.parent_path());
  const std::string f0 = q(s.fingerprint(0));
  const std::string f2 = q(s.fingerprint(2));

  const std::string whole = read_text(s.fingerprint(1));
  REQUIRE(whole.size() > 1000);
  for (const std::size_t size : {std::size_t{16}, std::size_t{20}, std::size_t{40}, whole.size() / 2,
                                 whole.size() - 9, whole.size() - 8, whole.size() - 1}) {
    const fs::path cut = bad_dir / ("cut-" + std::to_string(size) + ".dsfp");
    write_text(cut, whole.substr(0, size));
    expect_merge_fails(f0 + " " + q(cut) + " " + f2, out, io, {cut.string() + ": ", "truncated"});
  }
  for (const std::size_t size : {std::size_t{0}, std::size_t{10}}) {
    const fs::path cut = bad_dir / ("cut-" + std::to_string(size) + ".dsfp");
    write_text(cut, whole.substr(0, size));
    expect_merge_fails(f0 + " " + q(cut) + " " + f2, out, io, {cut.string() + ": ", "not a dupstrip"});
  }
  {
    const fs::path flipped = bad_dir / "flipped.dsfp";
    write_text(flipped, whole);
    flip_payload_byte(flipped);
    expect_merge_fails(f0 + " " + q(flipped) + " " + f2, out, io,
                       {flipped.string() + ": ", "corrupt (checksum mismatch)"});
  }
  // A failed merge leaves an existing -o untouched.
  {
    write_text(out, "previous state");
    const fs::path cut = bad_dir / "cut-16.dsfp";
    const auto r = run("merge " + f0 + " " + q(cut) + " " + f2 + " -o " + q(out), io);
    CHECK(r.exit_code == 2);
    CHECK(read_text(out) == "previous state");
    fs::remove(out);
  }
  // A missing file.
  expect_merge_fails(f0 + " " + q(bad_dir / "none.dsfp") + " " + f2, out, io,
                     {(bad_dir / "none.dsfp").string() + ": ", "No such file"});

  // States: a truncated or corrupt state is refused by the next merge, by a content scan and
  // by apply (after the state is complete).
  REQUIRE_FALSE(s.merge_first());
  const std::string state = read_text(s.state(0));
  const fs::path cut_state = bad_dir / "cut-state.dsm";
  write_text(cut_state, state.substr(0, state.size() / 2));
  s.scan_content();
  std::string contents;
  for (std::size_t k = 0; k < s.size(); ++k) contents += " " + q(s.content(0, k));
  expect_merge_fails("--state " + q(cut_state) + contents, out, io, {cut_state.string() + ": ", "truncated"});
  {
    const auto r = run("scan " + s.shard(0) + " --state " + q(cut_state) + " --fingerprints " +
                           q(work / "c-from-cut.dsfp") + " -q",
                       io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(cut_state.string() + ": ") && Contains("truncated"));
    CHECK_FALSE(fs::exists(work / "c-from-cut.dsfp"));
  }
  const fs::path flipped_state = bad_dir / "flipped-state.dsm";
  write_text(flipped_state, state);
  flip_payload_byte(flipped_state);
  expect_merge_fails("--state " + q(flipped_state) + contents, out, io,
                     {flipped_state.string() + ": ", "checksum mismatch"});
  // A truncated or corrupt content file.
  const std::string content = read_text(s.content(0, 1));
  const fs::path cut_content = bad_dir / "cut-content.dsfp";
  write_text(cut_content, content.substr(0, content.size() - 1));
  expect_merge_fails("--state " + q(s.state(0)) + " " + q(s.content(0, 0)) + " " + q(cut_content) + " " +
                         q(s.content(0, 2)),
                     out, io, {cut_content.string() + ": ", "truncated"});
  const fs::path flipped_content = bad_dir / "flipped-content.dsfp";
  write_text(flipped_content, content);
  flip_payload_byte(flipped_content);
  expect_merge_fails("--state " + q(s.state(0)) + " " + q(s.content(0, 0)) + " " + q(flipped_content) + " " +
                         q(s.content(0, 2)),
                     out, io, {flipped_content.string() + ": ", "checksum mismatch"});

  const fs::path final_state = s.finish(s.merge_content());
  const std::string fin = read_text(final_state);
  const fs::path cut_final = bad_dir / "cut-final.dsm";
  write_text(cut_final, fin.substr(0, fin.size() - 1));
  {
    const auto r = run("apply --state " + q(cut_final) + " " + s.shard(0) + " -o " + q(t.path() / "out") + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(cut_final.string() + ": ") && Contains("truncated"));
    CHECK_FALSE(fs::exists(t.path() / "out"));
    const auto m = run("merge --state " + q(cut_final) + " --report " + q(t.path() / "rep.jsonl") + " -q", io);
    CHECK(m.exit_code == 2);
    CHECK_THAT(m.err, Contains(cut_final.string() + ": ") && Contains("truncated"));
    CHECK_FALSE(fs::exists(t.path() / "rep.jsonl"));
  }
  const fs::path flipped_final = bad_dir / "flipped-final.dsm";
  write_text(flipped_final, fin);
  flip_payload_byte(flipped_final);
  {
    const auto m = run("merge --state " + q(flipped_final) + " --report " + q(t.path() / "rep.jsonl") + " -q", io);
    CHECK(m.exit_code == 2);
    CHECK_THAT(m.err, Contains(flipped_final.string() + ": ") && Contains("checksum mismatch"));
    CHECK_FALSE(fs::exists(t.path() / "rep.jsonl"));
  }
}

TEST_CASE("scale-out: files of another kind, other options or another state are refused", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  dupstrip_test::write_corpus(in, make_corpus(2, 10, 8));
  const fs::path io = t.path() / "io";
  const fs::path work = t.path() / "w";
  sharded_run s(work, folder_shards(in, work, 3));
  s.scan_all();
  const fs::path out = t.path() / "o" / "state.dsm";
  fs::create_directories(out.parent_path());
  const std::string f0 = q(s.fingerprint(0));
  const std::string f1 = q(s.fingerprint(1));
  const std::string f2 = q(s.fingerprint(2));

  // Other options.
  const fs::path other = work / "f-1-0.7.dsfp";
  REQUIRE(run("scan " + s.shard(1) + " --threshold 0.7 --fingerprints " + q(other) + " -q", io).exit_code == 0);
  expect_merge_fails(f0 + " " + q(other) + " " + f2, out, io,
                     {other.string() + ": ", "other options", "threshold 0.7 vs 0.75"});
  expect_merge_fails(q(other) + " " + f1 + " " + f2, out, io, {s.fingerprint(1).string() + ": ", "threshold 0.75 vs 0.7"});
  const fs::path other2 = work / "f-2-np.dsfp";
  REQUIRE(run("scan " + s.shard(2) + " --num-perm 64 --seed 5 --fingerprints " + q(other2) + " -q", io).exit_code == 0);
  expect_merge_fails(f0 + " " + f1 + " " + q(other2), out, io, {other2.string() + ": ", "num_perm 64 vs 128", "seed 5 vs"});

  REQUIRE_FALSE(s.merge_first());
  s.scan_content();
  const std::string s0 = q(s.state(0));
  std::string contents;
  for (std::size_t k = 0; k < s.size(); ++k) contents += " " + q(s.content(0, k));

  // Files of the wrong kind.
  expect_merge_fails(f0 + " " + s0 + " " + f2, out, io,
                     {s.state(0).string() + ": ", "is a merge state file, expected a scan fingerprint file"});
  expect_merge_fails(f0 + " " + q(s.content(0, 1)) + " " + f2, out, io,
                     {s.content(0, 1).string() + ": ", "is a content fingerprint file, expected a scan fingerprint file"});
  expect_merge_fails("--state " + s0 + " " + q(s.content(0, 0)) + " " + f1 + " " + q(s.content(0, 2)), out, io,
                     {s.fingerprint(1).string() + ": ", "is a scan fingerprint file, expected a content fingerprint file"});
  expect_merge_fails("--state " + f0 + contents, out, io,
                     {s.fingerprint(0).string() + ": ", "is a scan fingerprint file, expected a merge state file"});
  {
    const auto r = run("apply --state " + f0 + " " + s.shard(0) + " -o " + q(t.path() / "out") + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(s.fingerprint(0).string() + ": ") && Contains("expected a merge state file"));
    CHECK_FALSE(fs::exists(t.path() / "out"));
  }
  // Not a dupstrip file at all.
  const fs::path text = work / "notes.dsfp";
  write_text(text, "DUPSTRI\nthis is a text file, long enough to hold a header\n");
  expect_merge_fails(f0 + " " + q(text) + " " + f2, out, io, {text.string() + ": ", "not a dupstrip"});
  expect_merge_fails("--state " + q(text) + contents, out, io, {text.string() + ": ", "not a dupstrip"});
  // Another format version.
  {
    std::string b = read_text(s.fingerprint(1));
    b[12] = 9;
    const fs::path v9 = work / "v9.dsfp";
    write_text(v9, b);
    expect_merge_fails(f0 + " " + q(v9) + " " + f2, out, io, {v9.string() + ": ", "format version 9"});
  }

  // A content round missing a shard: the message names the shard.
  expect_merge_fails("--state " + s0 + " " + q(s.content(0, 0)) + " " + q(s.content(0, 2)), out, io,
                     {"no content fingerprints for shard", (work / "list-1.txt").string(), "round 0"});
  // A content file made from another state (a merge of two of the shards).
  const fs::path other_state = work / "other.dsm";
  REQUIRE(run("merge " + f0 + " " + f1 + " -o " + q(other_state) + " -q", io).exit_code == 0);
  const fs::path foreign = work / "c-foreign.dsfp";
  REQUIRE(run("scan " + s.shard(0) + " --state " + q(other_state) + " --fingerprints " + q(foreign) + " -q", io)
              .exit_code == 0);
  expect_merge_fails("--state " + s0 + " " + q(foreign) + " " + q(s.content(0, 1)) + " " + q(s.content(0, 2)), out, io,
                     {foreign.string() + ": ", "was made from another state", s.state(0).string()});
  // A content file of the previous round, given to the next one, is refused too.
  const bool complete = s.merge_content();
  if (!complete) {
    expect_merge_fails("--state " + q(s.state(1)) + contents, out, io,
                       {s.content(0, 0).string() + ": ", "was made from another state"});
  }
  // Content scan of a shard that the state does not hold.
  {
    const fs::path c = work / "c-unknown.dsfp";
    const auto r = run("scan --files-from " + q(work / "list-2.txt") + " --root " + q(in) + " --state " +
                           q(other_state) + " --fingerprints " + q(c) + " -q",
                       io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(other_state.string() + ": ") && Contains("does not hold this shard"));
    CHECK_FALSE(fs::exists(c));
  }
}

TEST_CASE("scale-out: apply and usage errors", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  dupstrip_test::write_corpus(in, make_corpus(2, 10, 9));
  const fs::path io = t.path() / "io";
  const fs::path work = t.path() / "w";
  sharded_run s(work, folder_shards(in, work, 3));
  s.scan_all();
  REQUIRE_FALSE(s.merge_first());
  const fs::path out = t.path() / "out";

  // apply with a state that is not complete.
  {
    const auto r = run("apply --state " + q(s.state(0)) + " " + s.shard(1) + " -o " + q(out) + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(s.state(0).string() + ": round 0 is not complete"));
    CHECK_FALSE(fs::exists(out));
  }
  // merge --state of an incomplete state without files cannot report.
  {
    const auto r = run("merge --state " + q(s.state(0)) + " --report " + q(work / "rep.jsonl") + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(s.state(0).string() + ": round 0 is not complete"));
    CHECK_FALSE(fs::exists(work / "rep.jsonl"));
  }
  const fs::path final_state = s.finish(false);
  // apply on shards that are not part of the state: the whole corpus as one shard, a shard
  // with a file left out, a shard of another folder.
  {
    std::string all;
    for (const std::string& rel : sorted_files(in)) all += rel + "\n";
    write_text(work / "all.txt", all);
    const std::string list1 = read_text(work / "list-1.txt");
    write_text(work / "short.txt", list1.substr(list1.find('\n') + 1));
    for (const std::string& shard : {"--files-from " + q(work / "all.txt") + " --root " + q(in),
                                     "--files-from " + q(work / "short.txt") + " --root " + q(in), q(in)}) {
      INFO(shard);
      const auto r = run("apply --state " + q(final_state) + " " + shard + " -o " + q(out) + " -q", io);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Contains(final_state.string() + ": ") && Contains("does not hold this shard"));
      CHECK_FALSE(fs::exists(out));
    }
  }
  // Usage errors.
  {
    const auto r = run("scan " + s.shard(0) + " --state " + q(final_state) + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("scan --state needs --fingerprints"));
  }
  {
    const auto r = run("merge " + q(s.fingerprint(0)) + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("-o STATE.dsm"));
  }
  {
    const auto r = run("merge -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("give fingerprint files"));
  }
  {
    const auto r = run("apply " + s.shard(0) + " -o " + q(out) + " -q", io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("--state"));
    CHECK_FALSE(fs::exists(out));
  }
  {
    // A content round on a complete state.
    const auto r = run("merge --state " + q(final_state) + " " + q(s.content(0, 0)) + " -o " + q(work / "x.dsm"), io);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains(final_state.string() + ": the run is complete"));
    CHECK_FALSE(fs::exists(work / "x.dsm"));
  }
  // The final state still works.
  const auto r = run("merge --state " + q(final_state) + " --json -q", io);
  CHECK(r.exit_code == 0);
  CHECK(complete_in(r.out));
}

TEST_CASE("scale-out: fingerprint and state files do not depend on --jobs", "[scaleout][e2e]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  dupstrip_test::write_corpus(in, make_corpus(3, 15, 31));
  // The same shard arguments (the label of a shard is its --files-from path), other outputs.
  const auto shards = folder_shards(in, t.path(), 3);
  sharded_run a(t.path() / "j1", shards, "", "", "-j1");
  sharded_run b(t.path() / "j2", shards, "", "", "-j2");
  a.scan_all();
  b.scan_all();
  for (std::size_t k = 0; k < 3; ++k) CHECK(same_bytes(a.fingerprint(k), b.fingerprint(k)));
  bool done_a = a.merge_first();
  const bool done_b_first = b.merge_first();
  CHECK(done_a == done_b_first);
  CHECK(same_bytes(a.state(0), b.state(0)));
  int round = 0;
  while (!done_a) {
    REQUIRE(round < 8);
    a.scan_content();
    b.scan_content();
    for (std::size_t k = 0; k < 3; ++k) CHECK(same_bytes(a.content(round, k), b.content(round, k)));
    done_a = a.merge_content();
    const bool done_b = b.merge_content();
    CHECK(done_a == done_b);
    ++round;
    CHECK(same_bytes(a.state(round), b.state(round)));
  }
  CHECK(round >= 1);
  // And the same with -j4 (more threads than documents in some chunks).
  const auto r = run("merge --state " + q(a.state(round - 1)) + " " + q(a.content(round - 1, 0)) + " " +
                         q(a.content(round - 1, 1)) + " " + q(a.content(round - 1, 2)) + " -o " +
                         q(t.path() / "j4.dsm") + " -q -j4",
                     t.path() / "io");
  REQUIRE(r.exit_code == 0);
  CHECK(same_bytes(t.path() / "j4.dsm", a.state(round)));
}

// ------------------------------------------------------------------ order and sharding

namespace {

// A report made comparable across input orders: doc records without their `index` (the
// position in this run's input) and sorted by path; every other line as it is, in order.
std::string order_free_report(const std::string& report) {
  std::vector<std::string> docs;
  std::string rest;
  auto without_index = [](std::string line) {
    const std::size_t at = line.find(",\"index\":");
    if (at == std::string::npos) return line;
    std::size_t end = at + 9;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    return line.erase(at, end - at);
  };
  std::size_t pos = 0;
  while (pos < report.size()) {
    const std::size_t nl = report.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? report.size() : nl + 1;
    const std::string line = report.substr(pos, end - pos);
    if (line.rfind("{\"type\":\"doc\",", 0) == 0) docs.push_back(without_index(line));
    else rest += line;
    pos = end;
  }
  std::sort(docs.begin(), docs.end());
  std::string out;
  for (const std::string& d : docs) out += d;
  return out + rest;
}

// The page folder of order_corpus(): a generated corpus plus exact copies of pages on other
// sites under other names, whose content ties with the original's once furniture is gone, so
// that only the names can decide which copy is kept.
std::map<std::string, std::string> order_corpus() {
  const auto c = make_corpus(5, 14, 20261204);
  std::map<std::string, std::string> pages = c.pages;
  std::vector<std::string> sites;
  for (const auto& [rel, text] : c.pages) {
    const std::string site = rel.substr(0, rel.find('/'));
    if (sites.empty() || sites.back() != site) sites.push_back(site);
  }
  int k = 0;
  for (const auto& [rel, text] : c.pages) {
    if (k++ % 9 != 4) continue;
    const std::string site = rel.substr(0, rel.find('/'));
    const auto at = static_cast<std::size_t>(std::find(sites.begin(), sites.end(), site) - sites.begin());
    const std::string& other = sites[(at + 1) % sites.size()];
    pages[other + "/again-" + std::to_string(k) + ".txt"] = text;
  }
  return pages;
}

}  // namespace

TEST_CASE("the same decisions whatever the order of the documents and however the corpus is sharded",
          "[scaleout][e2e][order]") {
  temp_dir t;
  const fs::path in = t.path() / "in";
  const std::map<std::string, std::string> pages = order_corpus();
  for (const auto& [rel, text] : pages) write_text(in / rel, text);
  const fs::path io = t.path() / "io";
  const fs::path ref = t.path() / "ref";
  const fs::path ref_report = t.path() / "ref.jsonl";
  REQUIRE(run("clean " + q(in) + " -o " + q(ref) + " --report " + q(ref_report) + " -q -j2", io).exit_code == 0);
  const std::string expected = order_free_report(read_text(ref_report));
  REQUIRE(expected.find("\"status\":\"dropped\"") != std::string::npos);
  const auto expected_tree = snapshot(ref);
  std::mt19937_64 rng(77);
  std::vector<std::string> files = sorted_files(in);

  SECTION("--files-from in shuffled orders") {
    for (int round = 0; round < 3; ++round) {
      std::shuffle(files.begin(), files.end(), rng);
      std::string list;
      for (const std::string& rel : files) list += rel + "\n";
      const fs::path lp = t.path() / ("shuffled-" + std::to_string(round) + ".txt");
      write_text(lp, list);
      const fs::path out = t.path() / ("out-list-" + std::to_string(round));
      const fs::path rep = t.path() / ("list-" + std::to_string(round) + ".jsonl");
      REQUIRE(run("clean --files-from " + q(lp) + " --root " + q(in) + " -o " + q(out) + " --report " + q(rep) +
                      " -q -j2",
                  io)
                  .exit_code == 0);
      CHECK(tree_difference(ref, out) == "");
      CHECK(text_difference(expected, order_free_report(read_text(rep))) == "");
    }
  }

  SECTION("JSONL records in shuffled orders") {
    // Ids are file names ("site__page.txt"), so that a folder output is named after them.
    auto id_of = [](std::string rel) {
      rel.replace(rel.find('/'), 1, "__");
      return rel;
    };
    std::string first_report;
    for (int round = 0; round < 3; ++round) {
      std::shuffle(files.begin(), files.end(), rng);
      std::string jsonl;
      for (const std::string& rel : files) {
        std::string text;
        for (const char ch : pages.at(rel)) {
          if (ch == '\n') text += "\\n";
          else if (ch == '"') text += "\\\"";
          else text.push_back(ch);
        }
        jsonl += "{\"id\":\"" + id_of(rel) + "\",\"site\":\"" + rel.substr(0, rel.find('/')) + "\",\"text\":\"" + text +
                 "\"}\n";
      }
      const fs::path file = t.path() / ("records-" + std::to_string(round) + ".jsonl");
      write_text(file, jsonl);
      const fs::path out = t.path() / ("out-jsonl-" + std::to_string(round));
      const fs::path rep = t.path() / ("jsonl-" + std::to_string(round) + ".jsonl");
      REQUIRE(run("clean " + q(file) + " --group-field site -o " + q(out) + " --report " + q(rep) + " -q -j2", io)
                  .exit_code == 0);
      // The same kept documents with the same bytes as the folder run.
      std::map<std::string, std::string> want;
      for (const auto& [rel, text] : expected_tree) want[id_of(rel) + ".txt"] = text;
      CHECK(snapshot(out) == want);
      const std::string got = order_free_report(read_text(rep));
      if (round == 0) first_report = got;
      else CHECK(text_difference(first_report, got) == "");
    }
  }

  SECTION("2, 3 and 5 shards by site and by name hash, merged in shuffled orders") {
    for (const std::size_t n : {2U, 3U, 5U}) {
      for (const bool by_site : {true, false}) {
        INFO(n << " shards by " << (by_site ? "site" : "name hash"));
        std::vector<std::string> site_names;
        for (const std::string& rel : files) site_names.push_back(rel.substr(0, rel.find('/')));
        std::sort(site_names.begin(), site_names.end());
        site_names.erase(std::unique(site_names.begin(), site_names.end()), site_names.end());
        std::vector<std::vector<std::string>> parts(n);
        for (const std::string& rel : files) {
          const std::string site = rel.substr(0, rel.find('/'));
          const std::size_t k =
              by_site ? static_cast<std::size_t>(std::find(site_names.begin(), site_names.end(), site) -
                                                 site_names.begin()) %
                            n
                      : std::hash<std::string>{}(rel) % n;
          parts[k].push_back(rel);
        }
        // Shards in a shuffled order, each listing its files in a shuffled order.
        std::shuffle(parts.begin(), parts.end(), rng);
        const fs::path work = t.path() / ("w-" + std::to_string(n) + (by_site ? "-site" : "-hash"));
        fs::create_directories(work);
        std::vector<std::string> args;
        for (std::size_t k = 0; k < n; ++k) {
          std::shuffle(parts[k].begin(), parts[k].end(), rng);
          std::string list;
          for (const std::string& rel : parts[k]) list += rel + "\n";
          const fs::path lp = work / ("list-" + std::to_string(k) + ".txt");
          write_text(lp, list);
          args.push_back("--files-from " + q(lp) + " --root " + q(in));
        }
        sharded_run s(work, args);
        const fs::path final_state = s.decide();
        CHECK(text_difference(expected, order_free_report(s.full_report(final_state))) == "");
        (void)s.apply_all(final_state, [&](std::size_t) { return work / "out"; });
        CHECK(tree_difference(ref, work / "out") == "");
      }
    }
  }
}
