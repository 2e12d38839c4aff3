// Synthetic input + report for the review (review_corpus.hpp). Each site has a header, a menu,
// a dateline, a "Read more: <title>" template line, a share line found on every site and a
// copyright footer; pages carry a title and four paragraphs of invented words; one page in
// twenty prints its body twice, one in ten is a near-copy of the page before it (dropped), one
// in fifty kept pages is a safety-rail hit. The report gives each of those lines its reason
// and evidence, as a run would.
#include "support/review_corpus.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace dupstrip_test {

namespace {

constexpr const char* syllables[] = {"ka", "lo",  "mi",  "ren", "sa", "tu",  "vel", "dor", "an",  "bri",
                                     "co", "fen", "gar", "hol", "is", "jun", "mar", "nor", "pel", "quin"};

std::string word(std::mt19937_64& rng) {
  std::string w;
  const std::uint64_t n = 2 + rng() % 2;
  for (std::uint64_t i = 0; i < n; ++i) w += syllables[rng() % 20];
  return w;
}

std::string words(std::mt19937_64& rng, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0) s += ' ';
    s += word(rng);
  }
  return s;
}

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

struct range {
  std::size_t begin, end;
  std::string evidence;  // the keys after "end", starting with ,"reason":...
};

class writer {
 public:
  explicit writer(const std::filesystem::path& p) : f_(std::fopen(p.c_str(), "wb")) {
    if (f_ == nullptr) throw std::runtime_error(p.string() + ": cannot write");
  }
  ~writer() {
    if (f_ != nullptr) std::fclose(f_);
  }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  void put(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), f_);
    bytes += s.size();
  }
  std::uint64_t bytes = 0;

 private:
  std::FILE* f_;
};

const char* hostile_lines[] = {
    "<script>document.title='PWNED-script';document.body.setAttribute('data-pwned','script')</script>",
    "</textarea></pre><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "<a href=\"javascript:document.body.setAttribute('data-pwned','link')\">click me</a> javascript:alert(1)",
    "Invoice \xE2\x80\xAEgpj.exe arrives \xE2\x80\x8B hidden \xE2\x81\xA6isolate",
};

}  // namespace

review_corpus_stats write_review_corpus(const std::filesystem::path& input, const std::filesystem::path& report,
                                        const review_corpus_params& p) {
  review_corpus_stats st;
  const std::size_t sites = std::max<std::size_t>(1, p.documents / std::max<std::size_t>(1, p.pages_per_site));
  st.sites = sites;
  std::mt19937_64 rng(p.seed);
  // Per site: its furniture.
  std::vector<std::string> header(sites), menu(sites), footer(sites);
  for (std::size_t s = 0; s < sites; ++s) {
    header[s] = "The " + word(rng) + " " + word(rng) + " Daily, news of the " + word(rng) + " valley";
    menu[s] = "Home | World | " + word(rng) + " | Sport | Weather | Contact";
    footer[s] = "Copyright 2025 The " + word(rng) + " Daily. All rights reserved.";
  }
  const std::string share = "Share this story: Email | Print | Copy link";
  std::vector<std::size_t> site_pages(sites, 0);
  for (std::size_t k = 0; k < p.documents; ++k) ++site_pages[k % sites];

  writer in(input), rep(report);
  rep.put(
      "{\"type\":\"begin\",\"data\":{\"tool\":\"dupstrip\",\"version\":\"0.1.0\",\"schema_version\":3,"
      "\"signature_format_version\":1,\"options\":{\"threshold\":0.75,\"shingle_size\":2,\"num_perm\":128,\"bands\":0,"
      "\"rows\":0,\"min_shingle_size\":1,\"seed\":1,\"minhash\":\"one_permutation\",\"keep\":\"longest\","
      "\"min_boilerplate_pages\":3,\"boilerplate_fraction\":0.05,\"block_similarity\":0.7,\"flow_tokens\":10,"
      "\"corpus_min_sites\":5,\"min_line_repeat_run\":2,\"template_lines\":true,\"min_repeat_tokens\":40,"
      "\"repeat_coverage\":0.5,\"max_strip_fraction\":0.85,\"utf8\":\"replace\",\"max_document_bytes\":268435456}}}\n");
  std::string prev_id, prev_text;
  std::vector<std::string> cluster_lines;
  std::uint64_t bytes_in = 0, bytes_out = 0, stripped = 0, lines_stripped = 0;
  std::uint64_t spans[4] = {};  // boilerplate, corpus, template, repeat
  std::string line;
  for (std::size_t k = 0; k < p.documents; ++k) {
    const std::size_t s = k % sites;
    char id_buf[64];
    std::snprintf(id_buf, sizeof id_buf, "site%04zu/article-%07zu", s, k);
    std::string id = id_buf;
    if (p.hostile && k == 2) id = "site0000/\"><img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">";
    char host[48];
    std::snprintf(host, sizeof host, "site%04zu.example", s);
    const bool copy = k % 10 == 9 && !prev_text.empty() && !(p.hostile && k < 4);
    std::string text;
    std::vector<range> removed;
    auto add = [&](const std::string& l, const std::string& evidence) {
      const std::size_t b = text.size();
      text += l;
      text += '\n';
      if (!evidence.empty()) removed.push_back({b, text.size(), evidence});
    };
    const std::string pages = std::to_string(site_pages[s]);
    const std::string bp = ",\"reason\":\"boilerplate\",\"pages\":" + pages + ",\"group_pages\":" + pages;
    if (copy) {
      // The page before, with one word changed and its own furniture: a near-duplicate.
      text = prev_text;
      const std::size_t at = text.find(' ', text.size() / 2);
      if (at != std::string::npos) text.insert(at, " also");
    }
    std::string body;
    if (!copy) {
      add(p.hostile && k == 1 ? hostile_lines[0] : header[s], bp);
      add(menu[s], bp);
      add("Updated 2025-03-" + std::to_string(10 + k % 18) + " 08:" + std::to_string(10 + k % 50), bp);
      add(p.hostile && k < 4 ? hostile_lines[k] : "Headline " + words(rng, 6), "");
      const std::size_t body_begin = text.size();
      for (int q = 0; q < 4; ++q)
        add(p.hostile && k < 4 && q == 1 ? hostile_lines[(k + 1) % 4] : words(rng, 26) + ".", "");
      body = text.substr(body_begin);
      add("Read more: " + words(rng, 5), ",\"reason\":\"template\",\"pages\":" + pages + ",\"group_pages\":" + pages +
                                             ",\"prefix_tokens\":2,\"suffix_tokens\":0");
      add(share, ",\"reason\":\"corpus\",\"sites\":" + std::to_string(std::min<std::size_t>(sites, 12)) +
                     ",\"run_sites\":" + std::to_string(sites));
      add(footer[s], bp);
      if (k % 20 == 7) {  // the body printed twice: the second copy is a repeated run
        const std::size_t b = text.size();
        text += body;
        removed.push_back({b, text.size(), ",\"reason\":\"repeat\""});
      }
    } else {
      // Same lines as the page before: its removed ranges are the same lines, recomputed.
      std::size_t at = 0;
      int n = 0;
      while (at < text.size()) {
        const std::size_t nl = text.find('\n', at);
        if (n < 3 || n == 7 + 1 || n == 8 + 1 || n == 9 + 1) {
          const char* why =
              n < 3 || n == 10 ? bp.c_str()
              : n == 8
                  ? ",\"reason\":\"template\",\"pages\":3,\"group_pages\":3,\"prefix_tokens\":2,\"suffix_tokens\":0"
                  : ",\"reason\":\"corpus\",\"sites\":5,\"run_sites\":5";
          removed.push_back({at, nl + 1, why});
        }
        at = nl + 1;
        ++n;
      }
    }
    const bool rail = !copy && k % 50 == 13;
    if (rail) removed.resize(1);  // the safety rail: only the surest removal
    std::size_t removed_bytes = 0, removed_lines = 0;
    for (const range& r : removed) {
      removed_bytes += r.end - r.begin;
      for (std::size_t i = r.begin; i < r.end; ++i) removed_lines += text[i] == '\n' ? 1U : 0U;
    }

    line.clear();
    line += "{\"id\":";
    json_string(line, id);
    line += ",\"url\":\"https://";
    line += host;
    line += "/article-" + std::to_string(k) + "\",\"text\":";
    json_string(line, text);
    line += "}\n";
    in.put(line);

    line.clear();
    line += "{\"type\":\"doc\",\"data\":{\"path\":{\"text\":";
    json_string(line, id);
    line += "},\"group\":{\"text\":\"";
    line += host;
    line += "\"},\"index\":" + std::to_string(k) + ",\"status\":\"" + (copy ? "dropped" : "kept") +
            "\",\"bytes\":" + std::to_string(text.size());
    line += ",\"kept_bytes\":" + std::to_string(copy ? 0 : text.size() - removed_bytes) +
            ",\"stripped_bytes\":" + std::to_string(copy ? 0 : removed_bytes) +
            ",\"content_tokens\":" + std::to_string(120 + k % 40) + ",\"cluster\":{\"text\":";
    json_string(line, copy ? prev_id : id);
    line += "}";
    const unsigned similarity = 750000 + static_cast<unsigned>(rng() % 250000);
    if (copy) {
      line += ",\"duplicate_of\":{\"text\":";
      json_string(line, prev_id);
      line += "},\"similarity\":0." + std::to_string(similarity);
    }
    if (rail) line += ",\"warning\":\"safety rail: only the surest removals were applied\"";
    line += ",\"removed\":[";
    for (std::size_t r = 0; r < removed.size(); ++r) {
      if (r != 0) line += ',';
      line += "{\"begin\":" + std::to_string(removed[r].begin) + ",\"end\":" + std::to_string(removed[r].end) +
              removed[r].evidence + "}";
    }
    line += "]}}\n";
    rep.put(line);

    bytes_in += text.size();
    if (copy) {
      ++st.dropped;
      std::string c = "{\"type\":\"cluster\",\"data\":{\"id\":{\"text\":";
      json_string(c, prev_id);
      c += "},\"kept\":{\"text\":";
      json_string(c, prev_id);
      c += "},\"members\":[{\"path\":{\"text\":";
      json_string(c, prev_id);
      c += "},\"similarity\":1.000000},{\"path\":{\"text\":";
      json_string(c, id);
      c += "},\"similarity\":0." + std::to_string(similarity) + "}]}}\n";
      cluster_lines.push_back(std::move(c));
    } else {
      ++st.kept;
      st.rails += rail ? 1 : 0;
      bytes_out += text.size() - removed_bytes;
      stripped += removed_bytes;
      lines_stripped += removed_lines;
      for (const range& r : removed) {
        if (r.evidence.find("boilerplate") != std::string::npos) ++spans[0];
        if (r.evidence.find("corpus") != std::string::npos) ++spans[1];
        if (r.evidence.find("template") != std::string::npos) ++spans[2];
        if (r.evidence.find("repeat") != std::string::npos) ++spans[3];
      }
      prev_id = id;
      prev_text = text;
    }
  }
  // Cluster records, by kept copy's name (the ids sort as they were made, except a hostile name).
  for (const std::string& c : cluster_lines) rep.put(c);
  st.clusters = cluster_lines.size();
  rep.put("{\"type\":\"summary\",\"data\":{\"read\":" + std::to_string(st.kept + st.dropped) +
          ",\"kept\":" + std::to_string(st.kept) + ",\"dropped\":" + std::to_string(st.dropped) +
          ",\"skipped\":0,\"clusters\":" + std::to_string(st.clusters) + ",\"bytes_in\":" + std::to_string(bytes_in) +
          ",\"bytes_out\":" + std::to_string(bytes_out) + ",\"bytes_stripped\":" + std::to_string(stripped) +
          ",\"lines_stripped\":" + std::to_string(lines_stripped) + ",\"repeat_spans\":" + std::to_string(spans[3]) +
          ",\"boilerplate_spans\":" + std::to_string(spans[0]) + ",\"corpus_spans\":" + std::to_string(spans[1]) +
          ",\"template_spans\":" + std::to_string(spans[2]) +
          ",\"line_repeat_spans\":0,\"links_spans\":0,\"outside_main_spans\":0,\"boilerplate_lines\":" +
          std::to_string(sites * 4) + ",\"safety_rail\":" + std::to_string(st.rails) + "}}\n");
  st.input_bytes = in.bytes;
  st.report_bytes = rep.bytes;
  return st;
}

}  // namespace dupstrip_test
