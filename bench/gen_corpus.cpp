// Deterministic corpus generator for benchmarks: sites of templated article pages with
// repeated bodies, syndicated copies and exact copies (tests/support/corpus.cpp), written as a
// folder, or with --jsonl as one JSON Lines file (records {"id", "site", "text"}, in the order
// of the folder's paths; clean it with --group-field site). Sizes by flag; the same flags always
// give the same bytes.
//   dupstrip_gen_corpus OUT [--sites N] [--articles-per-site N] [--seed N] [--chinese] [--long] [--jsonl]
#include "support/corpus.hpp"

#include <dupstrip/jsonl.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [--sites N] [--articles-per-site N] [--seed N] [--chinese] [--long] [--jsonl]\n", argv[0]);
    return 2;
  }
  dupstrip_test::corpus_params p;
  p.sites = 20;
  p.articles_per_site = 100;
  std::uint64_t seed = 1;
  bool jsonl = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--sites") {
      p.sites = std::atoi(next());
    } else if (a == "--articles-per-site") {
      p.articles_per_site = std::atoi(next());
    } else if (a == "--seed") {
      seed = std::strtoull(next(), nullptr, 10);
    } else if (a == "--chinese") {
      p.chinese = true;
    } else if (a == "--long") {
      p.paragraph_factor = 2;  // ~4 KB pages instead of ~2 KB
    } else if (a == "--jsonl") {
      jsonl = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  // Generate site by site so that memory stays small for large corpora.
  std::size_t files = 0;
  const int sites = p.sites;
  dupstrip_test::corpus_params one = p;
  one.sites = 1;
  one.p_syndicate = 0.0;
  std::ofstream jsonl_out;
  if (jsonl) {
    jsonl_out.open(argv[1], std::ios::binary | std::ios::trunc);
    if (!jsonl_out) {
      std::fprintf(stderr, "cannot write %s\n", argv[1]);
      return 1;
    }
  }
  std::string record;
  for (int s = 0; s < sites; ++s) {
    const auto c = dupstrip_test::generate_corpus(one, seed * std::uint64_t{1000003} + static_cast<std::uint64_t>(s));
    for (const auto& [rel, text] : c.pages) {
      const std::string id = "s" + std::to_string(s) + "-" + rel;
      if (jsonl) {
        record = "{\"id\":";
        dupstrip::append_json_text(record, id);
        record += ",\"site\":";
        dupstrip::append_json_text(record, "s" + std::to_string(s));
        record += ",\"text\":";
        dupstrip::append_json_text(record, text);
        record += "}\n";
        jsonl_out << record;
      } else {
        dupstrip_test::write_text(std::filesystem::path(argv[1]) / id, text);
      }
      ++files;
    }
  }
  if (jsonl && !jsonl_out.flush()) {
    std::fprintf(stderr, "writing %s failed\n", argv[1]);
    return 1;
  }
  std::printf("%zu %s\n", files, jsonl ? "records" : "files");
  return 0;
}
