// The test corpus generator: invented words, invented sites, known answers.
#include "support/corpus.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace dupstrip_test {
namespace fs = std::filesystem;

temp_dir::temp_dir() {
  static int counter = 0;
  path_ = fs::temp_directory_path() /
          ("dupstrip-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

const char* const syllables[] = {"ba", "lor", "mi", "ten", "qua", "vel", "ros", "di", "an", "ke",
                                 "sul", "po", "ri", "gan", "te", "mor", "vi", "ha", "zen", "lu"};

std::string word(std::mt19937_64& rng) {
  std::string w;
  const std::uint64_t n = 1 + pick(rng, 3);
  for (std::uint64_t i = 0; i < n; ++i) w += syllables[pick(rng, 20)];
  return w;
}

std::string han(std::mt19937_64& rng) {
  // A random CJK unified ideograph from a common block, as UTF-8.
  const auto cp = static_cast<std::uint32_t>(0x4E00 + pick(rng, 3000));
  std::string s;
  s += static_cast<char>(0xE0 | (cp >> 12));
  s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (cp & 0x3F));
  return s;
}

struct article {
  std::string title;
  std::vector<std::vector<std::string>> paras;  // tokens
  bool chinese;
};

std::string join(const std::vector<std::string>& toks, bool chinese) {
  std::string s;
  for (std::size_t i = 0; i < toks.size(); ++i) {
    if (i && !chinese) s += ' ';
    s += toks[i];
  }
  return s + (chinese ? "\xE3\x80\x82" : ".");
}

article make_article(std::mt19937_64& rng, bool chinese, int paragraph_factor) {
  article a{"", {}, chinese};
  const std::uint64_t tl = 3 + pick(rng, 5);
  for (std::uint64_t i = 0; i < tl; ++i) {
    std::string w = chinese ? han(rng) : word(rng);
    if (!chinese) w[0] = static_cast<char>(w[0] - 32);
    a.title += (i && !chinese ? " " : "") + w;
  }
  const std::uint64_t np = (3 + pick(rng, 6)) * static_cast<std::uint64_t>(std::max(1, paragraph_factor));
  for (std::uint64_t p = 0; p < np; ++p) {
    std::vector<std::string> toks;
    const std::uint64_t nw = (chinese ? 40 : 20) + pick(rng, chinese ? 80 : 40);
    for (std::uint64_t w = 0; w < nw; ++w) toks.push_back(chinese ? han(rng) : word(rng));
    a.paras.push_back(toks);
  }
  return a;
}

article edit(std::mt19937_64& rng, const article& a, double rate) {
  article b = a;
  for (auto& p : b.paras) {
    std::vector<std::string> out;
    for (const auto& t : p) {
      const double r = unit(rng);
      if (r < rate / 3) continue;
      if (r < 2 * rate / 3) {
        out.push_back(a.chinese ? han(rng) : word(rng));
        continue;
      }
      out.push_back(t);
      if (r > 1 - rate / 3) out.push_back(a.chinese ? han(rng) : word(rng));
    }
    p = out;
  }
  return b;
}

struct site {
  std::string name;
  std::vector<std::string> header;
  std::vector<std::string> footer;
  std::vector<std::string> teasers;
  std::string attribution;  // "%T" = title
};

site make_site(std::mt19937_64& rng, int i) {
  site s;
  s.name = "site-" + std::to_string(i) + "-" + word(rng);
  s.header = {s.name + " | " + word(rng) + " | " + word(rng) + " | " + word(rng), "Updated %D"};
  s.footer = {"Share this story with " + word(rng) + " friends",
              "Copyright %Y " + s.name + ". All rights reserved.",
              "%V readers viewed this page",
              "Disclaimer: the " + word(rng) + " " + word(rng) + " on this page is provided for " + word(rng) +
                  " only and does not reflect the views of " + s.name + " or its " + word(rng) + " partners."};
  for (int t = 0; t < 4; ++t) s.teasers.push_back("Read more: " + word(rng) + " " + word(rng) + " " + word(rng));
  s.attribution = "This article, \"%T\", first appeared on " + s.name + ".";
  return s;
}

std::string fill(std::mt19937_64& rng, std::string line, const std::string& title) {
  auto rep = [&](const std::string& key, const std::string& value) {
    for (std::size_t p = line.find(key); p != std::string::npos; p = line.find(key, p + value.size()))
      line.replace(p, key.size(), value);
  };
  rep("%T", title);
  rep("%Y", std::to_string(2015 + pick(rng, 11)));
  rep("%V", std::to_string(100 + pick(rng, 90000)));
  rep("%D", std::to_string(2015 + pick(rng, 11)) + "-" + std::to_string(1 + pick(rng, 12)) + "-" +
                std::to_string(1 + pick(rng, 28)));
  return line;
}

std::string render(std::mt19937_64& rng, const site& s, const article& a, bool repeat) {
  std::string out;
  for (const auto& h : s.header) out += fill(rng, h, a.title) + "\n";
  out += a.title + "\n";
  for (std::size_t p = 0; p < a.paras.size(); ++p) {
    out += join(a.paras[p], a.chinese) + "\n";
    if (p + 1 < a.paras.size() && unit(rng) < 0.3) out += s.teasers[pick(rng, s.teasers.size())] + "\n";
  }
  out += fill(rng, s.attribution, a.title) + "\n";
  for (const auto& f : s.footer) out += fill(rng, f, a.title) + "\n";
  if (repeat) {
    out += "Full story: " + a.title + "\n";
    for (const auto& p : a.paras) out += join(p, a.chinese) + "\n";
  }
  return out;
}

std::string gold_of(const article& a) {
  std::string g = a.title + "\n";
  for (const auto& p : a.paras) g += join(p, a.chinese) + "\n";
  return g;
}

}  // namespace

generated_corpus generate_corpus(const corpus_params& prm, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<site> sites;
  for (int i = 0; i < prm.sites; ++i) sites.push_back(make_site(rng, i));
  generated_corpus c;
  int id = 0;
  int n = 0;
  for (int si = 0; si < prm.sites; ++si) {
    for (int k = 0; k < prm.articles_per_site; ++k) {
      const article a = make_article(rng, prm.chinese, prm.paragraph_factor);
      ++id;
      const auto nsites = static_cast<std::uint64_t>(prm.sites);
      const auto here = static_cast<std::uint64_t>(si);
      std::vector<std::pair<const site*, article>> copies{{&sites[here], a}};
      if (nsites > 1 && unit(rng) < prm.p_syndicate)
        copies.emplace_back(&sites[(here + 1 + pick(rng, nsites - 1)) % nsites], edit(rng, a, prm.edit_rate));
      for (const auto& [s, art] : copies) {
        const std::string rel = s->name + "/page-" + std::to_string(n++) + ".txt";
        const std::string text = render(rng, *s, art, unit(rng) < prm.p_repeat);
        c.pages[rel] = text;
        c.gold[rel] = gold_of(art);
        c.cluster[rel] = id;
        if (unit(rng) < prm.p_exact) {
          const std::string rel2 = s->name + "/copy-" + std::to_string(n++) + ".txt";
          c.pages[rel2] = text;
          c.gold[rel2] = gold_of(art);
          c.cluster[rel2] = id;
        }
      }
    }
  }
  return c;
}

void write_corpus(const fs::path& root, const generated_corpus& c) {
  for (const auto& [rel, text] : c.pages) write_text(root / rel, text);
}

namespace {

std::multiset<std::string> norm_lines(const std::string& text) {
  std::multiset<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ws(line);
    std::string w;
    std::string n;
    while (ws >> w) n += (n.empty() ? "" : " ") + w;
    if (!n.empty()) out.insert(n);
  }
  return out;
}

}  // namespace

quality score(const fs::path& out, const generated_corpus& c) {
  std::size_t kept_body = 0;
  std::size_t kept_total = 0;
  std::size_t gold_total = 0;
  std::map<int, std::vector<std::string>> members;
  for (const auto& [rel, id] : c.cluster) members[id].push_back(rel);
  std::size_t right = 0;
  std::size_t wrong = 0;
  std::size_t expected = 0;
  for (const auto& [id, m] : members) {
    std::size_t kept = 0;
    for (const auto& rel : m) {
      if (!fs::exists(out / rel)) continue;
      ++kept;
      const auto got = norm_lines(read_text(out / rel));
      auto gold = norm_lines(c.gold.at(rel));
      gold_total += gold.size();
      kept_total += got.size();
      for (const auto& l : got) {
        const auto it = gold.find(l);
        if (it != gold.end()) {
          ++kept_body;
          gold.erase(it);
        }
      }
    }
    expected += m.size() - 1;
    if (kept == 0) {
      right += m.size() - 1;
      ++wrong;
    } else {
      right += m.size() - kept;
    }
  }
  quality q;
  q.line_precision = kept_total ? static_cast<double>(kept_body) / static_cast<double>(kept_total) : 1.0;
  q.line_recall = gold_total ? static_cast<double>(kept_body) / static_cast<double>(gold_total) : 1.0;
  q.dup_precision = right + wrong ? static_cast<double>(right) / static_cast<double>(right + wrong) : 1.0;
  q.dup_recall = expected ? static_cast<double>(right) / static_cast<double>(expected) : 1.0;
  return q;
}

}  // namespace dupstrip_test
