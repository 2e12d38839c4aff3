// Writes a synthetic run for the review at scale (tests/support/review_corpus.hpp): a JSONL
// input and its report, consistent with each other. bench/review_scale.sh times
// `dupstrip review` on a million documents with it.
//   dupstrip_gen_review INPUT.jsonl REPORT.jsonl [--docs N] [--pages-per-site N] [--seed N] [--hostile]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/review_corpus.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s INPUT.jsonl REPORT.jsonl [--docs N] [--pages-per-site N] [--seed N] [--hostile]\n",
                 argv[0]);
    return 2;
  }
  dupstrip_test::review_corpus_params p;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--docs" && has_value) {
      p.documents = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--pages-per-site" && has_value) {
      p.pages_per_site = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--seed" && has_value) {
      p.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--hostile") {
      p.hostile = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const dupstrip_test::review_corpus_stats st = dupstrip_test::write_review_corpus(argv[1], argv[2], p);
  std::printf(
      "%zu documents (%zu kept, %zu dropped, %zu rail hits, %zu clusters, %zu sites): input %llu bytes, "
      "report %llu bytes\n",
      st.kept + st.dropped, st.kept, st.dropped, st.rails, st.clusters, st.sites,
      static_cast<unsigned long long>(st.input_bytes), static_cast<unsigned long long>(st.report_bytes));
  return 0;
}
