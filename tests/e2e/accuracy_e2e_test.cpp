// End-to-end tests of the accuracy rules of issue 14 (doc/algorithm.md, "Article flow"): the
// article flow guard, thin evidence, the corpus tier, furniture runs and in-page line repeats.
// Each test writes its own small invented sites, runs `dupstrip clean --report` and checks the
// cleaned pages byte for byte and the reason the report gives for each removed line. Every
// mechanism with an option is also run switched off, to show that the test can fail.
#include "support/corpus.hpp"
#include "support/run_binary.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;

namespace {

using pages = std::map<std::string, std::string>;  // relative path -> text

std::string join(const std::vector<std::string>& ls) {
  std::string s;
  for (const std::string& l : ls) s += l + "\n";
  return s;
}

struct cleaned {
  pages out;           // relative path -> cleaned text ("<missing>" when not written)
  std::string report;  // the JSON Lines report
};

/// Writes `in` under dir/in (once per dir), cleans it into dir/out-<tag> with `extra` options
/// and a report, and reads back the output of every input page.
cleaned clean(const temp_dir& t, const pages& in, const std::string& tag, const std::string& extra = "") {
  const fs::path src = t.path() / "in";
  if (!fs::exists(src))
    for (const auto& [rel, text] : in) dupstrip_test::write_text(src / rel, text);
  const fs::path out = t.path() / ("out-" + tag);
  const fs::path report = t.path() / (tag + ".jsonl");
  const auto r = dupstrip_test::run_dupstrip(
      "clean '" + src.string() + "' -o '" + out.string() + "' --report '" + report.string() + "' -q " + extra,
      t.path());
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  cleaned c{{}, read_text(report)};
  for (const auto& [rel, text] : in) c.out[rel] = fs::exists(out / rel) ? read_text(out / rel) : "<missing>";
  return c;
}

struct span {
  std::size_t begin;
  std::size_t end;
  std::string verdict;  // reason and evidence: corpus,"sites":7,"run_sites":7
};

/// The removed ranges of `path` in the report.
std::vector<span> removals_of(const std::string& report, const std::string& path) {
  const std::string key = "\"path\":{\"text\":\"" + path + "\"}";
  std::size_t at = report.find(key);
  REQUIRE(at != std::string::npos);
  const std::size_t end = report.find('\n', at);
  at = report.find("\"removed\":[", at);
  REQUIRE(at < end);
  // Items {"begin":B,"end":E,"reason":"R"...}: parsed by hand (std::regex trips gcc 12's
  // -Wmaybe-uninitialized under the sanitizers' -Werror builds).
  std::vector<span> spans;
  const std::string_view list(report.data() + at, end - at);
  std::size_t p = 0;
  while ((p = list.find("{\"begin\":", p)) != std::string_view::npos) {
    const std::size_t close = list.find('}', p);
    REQUIRE(close != std::string_view::npos);
    const std::string item(list.substr(p, close - p));
    const std::size_t b = item.find(':') + 1;
    const std::size_t e = item.find("\"end\":") + 6;
    const std::size_t r = item.find("\"reason\":\"") + 10;
    const std::size_t r_end = item.find('"', r);
    spans.push_back({std::stoul(item.substr(b)), std::stoul(item.substr(e)),
                     item.substr(r, r_end - r) + item.substr(r_end + 1)});
    p = close + 1;
  }
  return spans;
}

/// What became of the `nth` copy (0: first) of `line` in page `path`: "kept" or the verdict
/// of the removed range that holds it.
std::string verdict(const cleaned& c, const pages& in, const std::string& path, const std::string& line,
                    int nth = 0) {
  const std::string& text = in.at(path);
  std::size_t at = 0;
  for (int k = 0;; ++k) {
    at = text.find(line + "\n", at);
    while (at != std::string::npos && at != 0 && text[at - 1] != '\n') at = text.find(line + "\n", at + 1);
    REQUIRE(at != std::string::npos);
    if (k == nth) break;
    at += line.size();
  }
  for (const span& s : removals_of(c.report, path))
    if (s.begin <= at && at < s.end) return s.verdict;
  return "kept";
}

// ------------------------------------------------------------------ a teaser-heavy news site

struct story {
  const char* headline;
  const char* lead;
  const char* p1;
  const char* p2;
};

// Leads are at most 20 tokens, so a headline is within reach of the first paragraph.
const story stories[12] = {
    {"Ferry timetable changes from next Monday",
     "The early crossing to Gull Island will leave twenty minutes later during the winter months.",
     "The operator said fewer commuters use the six o'clock boat once the evenings draw in, and that the later "
     "start lets the crew finish loading the freight deck in daylight.",
     "Islanders who work on the mainland have asked for a bus connection at the quay so that they can still "
     "reach the hospital and the college before their shifts begin."},
    {"Library extends opening hours for exam season",
     "Students will be able to study in the reading room until ten at night from May.",
     "The head librarian said the extra evenings are paid for by a grant from the county education fund and "
     "will be staffed by volunteers from the friends of the library group.",
     "Last year the tables on the upper floor were full by nine in the morning, and several parents wrote to "
     "the council asking for somewhere quiet for their children to revise."},
    {"Storm damage closes coastal footpath near Redcliff",
     "A section of cliff above the beach collapsed overnight, taking a fence and two benches with it.",
     "Rangers have fenced off the path between the car park and the old coastguard hut and are asking walkers "
     "to use the inland route through the farm until geologists have inspected the site.",
     "Nobody was hurt, but a dog walker who passed the spot an hour before the fall said she had heard stones "
     "rattling down onto the sand all evening."},
    {"Bakery on Mill Street wins regional bread award",
     "The family business beat forty entries with a sourdough made from flour milled nearby.",
     "Owner Petra Lind started baking at four every morning when she took over the shop from her father, and "
     "says the prize belongs to the two apprentices who shape every loaf by hand.",
     "The judges praised the crust and the open crumb, and the shop sold out before eleven on the Saturday "
     "after the result was announced in the trade magazine."},
    {"Council approves new cycle lane on the seafront",
     "Work on the route between the pier and the marina will begin in September.",
     "Councillors voted nine to four in favour after a long debate about parking, with traders on the "
     "promenade warning that losing thirty spaces would drive summer visitors away.",
     "Supporters pointed to the number of children who cycle to the secondary school along the busy coast "
     "road, where two accidents were recorded last winter alone."},
    {"Volunteers count record number of seals on the sandbank",
     "The survey found more than three hundred grey seals resting at low tide in March.",
     "The count is carried out from a boat that keeps well away from the animals, and the volunteers use "
     "photographs to avoid counting the same seal twice as the tide turns.",
     "Marine biologists believe the rise is linked to the ban on netting near the estuary, which has allowed "
     "fish stocks in the bay to recover over the past decade."},
    {"School choir to sing at the cathedral in June",
     "Forty pupils from Harbour Primary have been invited to perform at the summer festival.",
     "Music teacher Owen Hale said the children have been rehearsing twice a week since January and are "
     "learning a piece written for them by a composer who grew up in the town.",
     "Parents are raising money for the coach by selling cakes at the Friday market, and a local garage has "
     "offered to pay for the new blue sweatshirts of the choir."},
    {"Old cinema to reopen as a community arts centre",
     "The building on Quay Road has stood empty for twelve years since the last film.",
     "A trust formed by residents bought the cinema for one pound from its owners on condition that they "
     "repair the roof, which has let rain into the projection room for years.",
     "The plans include a small screen for films on weekend evenings, two studios for rent to painters and "
     "potters, and a cafe run by students from the catering course."},
    {"Hospital car park charges to rise in April",
     "Visitors will pay a pound more for a stay of up to four hours.",
     "The health trust said the money is needed to resurface the upper level, where potholes have damaged "
     "several cars, and to install lighting along the path to the main entrance.",
     "Patients attending regular treatment such as dialysis will still be able to apply for a free permit at "
     "the reception desk, as they have since the scheme began."},
    {"Fishing fleet returns early as prices fall",
     "Skippers say the price of cod at the morning auction is the lowest in a decade.",
     "Several boats stayed in port for most of last week rather than burn fuel on trips that would not cover "
     "their costs, leaving the harbour unusually crowded with idle vessels.",
     "The association of fishermen blames cheap imports for the slump and has asked the minister to meet "
     "skippers on the quayside before the quota talks next month."},
    {"Lifeboat crew rescues kayakers off Point Head",
     "Two men were pulled from the water after their boats capsized in a sudden squall.",
     "The inshore lifeboat reached them within twelve minutes of the call, and both were taken to hospital "
     "suffering from cold but were released later the same evening.",
     "The coxswain of the station reminded paddlers to check the forecast and carry a radio, adding that the "
     "pair had done the right thing by staying with their upturned kayaks."},
    {"Town hall clock stops after a century of service",
     "The hands froze at twenty past three on Wednesday when a worn gear gave way.",
     "A clockmaker from the city has climbed the tower to look at the mechanism and believes the broken gear "
     "can be copied in brass by a foundry that still works in the traditional way.",
     "Until the repair is finished, the bell that has rung the hours for a century will stay silent, which "
     "some residents near the square admit they find oddly peaceful."},
};

const char* const signup =
    "Sign up for the morning briefing and get the local stories in your inbox before seven.";
const char* const comments_closed = "Comments are closed on this article.";
const char* const copyright = "Copyright Harbour Gazette. All rights reserved.";

std::string gazette_path(std::size_t i) { return "gazette/story-" + std::to_string(i + 10) + ".txt"; }

// Twelve pages, each with the site's menu and footer, its own story, then a "Most read" list of
// the next three stories (headline and lead): every headline and lead is on 4 pages, above the
// site's need of 3. The list starts more than 20 tokens after the body (share line, newsletter
// line, comments line), out of the page's article flow.
pages gazette() {
  pages p;
  for (std::size_t i = 0; i < 12; ++i) {
    const story& s = stories[i];
    std::vector<std::string> ls = {"Harbour Gazette", "Home", "Local", "Sport", "Weather", s.headline, s.lead,
                                   s.p1,              s.p2,   "Share this article", signup, comments_closed,
                                   "Most read"};
    for (std::size_t k = 1; k <= 3; ++k) {
      ls.emplace_back(stories[(i + k) % 12].headline);
      ls.emplace_back(stories[(i + k) % 12].lead);
    }
    ls.emplace_back("About us | Contact | Advertise");
    ls.emplace_back(copyright);
    p[gazette_path(i)] = join(ls);
  }
  return p;
}

// ------------------------------------------------------------------ one-page sites, corpus tier

struct blog {
  const char* site;
  const char* title;
  const char* p1;
  const char* p2;
};

// A wire sentence that six sites print inside their own story (article flow): it stays.
const char* const wire =
    "The regional water authority said the reservoir would be full again by the end of the month.";

const blog blogs[6] = {
    {"millbrook-notes", "Millbrook Notes",
     "The footbridge over the brook reopened this morning after three weeks of repairs, and the first people "
     "across were the children walking to the primary school.",
     "Residents had complained that the detour along the main road added twenty minutes to every trip into the "
     "village, and the parish council thanked everyone for their patience."},
    {"upper-vale-diary", "Upper Vale Diary",
     "Farmers on the high pastures moved their sheep down a fortnight early this year because the streams on "
     "the fell had almost stopped running in the dry spell.",
     "The auction mart in town reported its busiest autumn sale for years as flocks were thinned to save the "
     "little grass that was left for the winter."},
    {"quarry-lane-gazette", "Quarry Lane Gazette",
     "Anglers at the old quarry lake say the water has dropped so far that the rusted crane on the east shore "
     "is visible for the first time since the pit was flooded.",
     "The fishing club has postponed its summer match and asked members not to wade out to the exposed ledges, "
     "which are crumbling and slippery with weed."},
    {"fernhill-bulletin", "Fernhill Bulletin",
     "Gardeners at the Fernhill allotments have started sharing a rota for the single standpipe after the "
     "water butts on most plots ran dry in the heat.",
     "The society secretary said the beans and squashes were suffering most, while the onions had enjoyed the "
     "sun and would be ready for the show in good time."},
    {"lowmoor-voice", "Lowmoor Voice",
     "The swimming club at Lowmoor has been told it can hold training in the reservoir lagoon again once the "
     "level rises and the safety buoys can be anchored.",
     "Until then the swimmers will use the pool at the leisure centre on Tuesday evenings, which the club says "
     "is crowded but better than losing the whole season."},
    {"castle-hill-herald", "Castle Hill Herald",
     "Firefighters spent the afternoon damping down a grass fire on the slopes below the castle, which started "
     "near the picnic tables and spread quickly in the wind.",
     "Visitors were led out through the west gate while the crews worked, and the castle will open as usual "
     "tomorrow once the paths have been checked."},
};

// Furniture of the blogging platform every site uses: a top bar, share links, an ingredient
// sidebar and a cookie notice more than 20 tokens below the story (out of its flow).
const std::vector<std::string> top_bar = {"Sign in", "Subscribe"};
const std::vector<std::string> share_bar = {"Share this story", "Share by email", "Copy link", "Back to top",
                                            "Print this page", "Report an error"};
const std::vector<std::string> sidebar = {"Browse by ingredient", "Flour", "Salt", "Butter", "Eggs"};
const char* const cookies = "We use cookies to improve your experience on this site.";

std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

std::string blog_path(const blog& b) { return std::string(b.site) + "/index.txt"; }

const std::vector<std::string> recipe_lines = {
    "Soda Bread at Home",
    "Grandmother's soda bread",
    "This is the loaf my grandmother baked every Sunday, and it needs no yeast and no patience at all.",
    "Ingredients",
    "4 cups plain flour",
    "Salt",
    "1 teaspoon baking soda",
    "2 cups buttermilk",
    "Method",
    "Mix the dry ingredients in a large bowl, pour in the buttermilk and stir with a knife until a soft dough "
    "forms, then shape it into a round and cut a deep cross on top.",
    "Bake in a hot oven for about forty minutes, until the loaf sounds hollow when you tap its base."};
// The recipe site's own links below the share bar keep the cookie notice more than 20 tokens
// below the method, as the sidebar does on the other sites.
const std::vector<std::string> more_recipes = {"More from the kitchen", "Scones", "Oat biscuits", "Apple cake"};

// Six one-page news sites on the platform and a seventh with a recipe whose ingredient list
// holds "Salt", which the other six show in their sidebar.
pages platform() {
  pages p;
  for (const blog& b : blogs)
    p[blog_path(b)] = join(concat({top_bar, {b.title, b.p1, wire, b.p2}, share_bar, sidebar, {cookies}}));
  p["soda-bread/index.txt"] = join(concat({top_bar, recipe_lines, share_bar, more_recipes, {cookies}}));
  return p;
}

// ------------------------------------------------------------------ in-page line repeats

const std::vector<std::string> menu = {"Home", "Plots", "Events", "Join us", "Contact"};
const std::vector<std::string> show_story = {
    "Spring show entries now open",
    "Members can enter up to five classes at the spring show, from the longest runner bean to the best jar of "
    "rhubarb jam, and the forms are in the hut.",
    "Judging starts at ten on the Saturday and the cups will be presented at four, followed by the plant sale "
    "and tea in the marquee by the pond."};

const std::vector<std::string> verse1 = {
    "The river was wide when I came to the landing", "With a coin in my fist and a pack on my back",
    "The ferryman smiled as he loosened the mooring", "And said there was no road a stranger could track"};
const std::vector<std::string> verse2 = {
    "We passed by the mill where the wheel had stopped turning", "We passed by the church with its bell in the reeds",
    "He sang of the years when the valley was flooded", "And the fields that were lost to the water and weeds"};
const std::vector<std::string> verse3 = {
    "At dawn on the far bank he set down his paddle", "He asked for no silver, he asked for no bread",
    "Just sing of the river wherever you wander", "And the ferry will carry you over, he said"};
// Four short lines of four or more tokens: a chorus, not a menu.
const std::vector<std::string> chorus = {"Row me over the water", "Row me over the tide",
                                         "Carry me home to the harbour", "Where the lanterns burn all night"};

pages repeats() {
  return {{"allotments/show.txt", join(concat({menu, show_story, menu}))},
          {"songs/ferryman.txt",
           join(concat({{"The Ferryman's Song"}, verse1, chorus, verse2, chorus, verse3, chorus}))}};
}

}  // namespace

TEST_CASE("a headline listed as a teaser elsewhere stays on its own page", "[cli][e2e][accuracy]") {
  temp_dir t;
  const pages in = gazette();
  const cleaned c = clean(t, in, "default");
  for (std::size_t i = 0; i < 12; ++i) {
    const story& s = stories[i];
    INFO(gazette_path(i));
    // The page keeps its own headline, lead and body, and nothing else.
    CHECK(c.out.at(gazette_path(i)) == join({s.headline, s.lead, s.p1, s.p2}));
    CHECK(verdict(c, in, gazette_path(i), s.headline) == "kept");
    // The same headline and lead go from the three pages that list them.
    for (std::size_t k = 1; k <= 3; ++k) {
      const std::string other = gazette_path((i + 12 - k) % 12);
      CHECK(verdict(c, in, other, s.headline) == R"(boilerplate,"pages":4,"group_pages":12)");
      CHECK(verdict(c, in, other, s.lead) == R"(boilerplate,"pages":4,"group_pages":12)");
    }
    // Template lines next to the body (in flow on every page) still go.
    CHECK(verdict(c, in, gazette_path(i), signup) == R"(boilerplate,"pages":12,"group_pages":12)");
    CHECK(verdict(c, in, gazette_path(i), comments_closed) == R"(boilerplate,"pages":12,"group_pages":12)");
  }
  SECTION("--flow-tokens 0: the headline goes from its own page too") {
    const cleaned off = clean(t, in, "flow-off", "--flow-tokens 0");
    for (std::size_t i = 0; i < 12; ++i) {
      INFO(gazette_path(i));
      CHECK(off.out.at(gazette_path(i)) == join({stories[i].p1, stories[i].p2}));
      CHECK(verdict(off, in, gazette_path(i), stories[i].headline) == R"(boilerplate,"pages":4,"group_pages":12)");
    }
  }
}

TEST_CASE("two articles that link each other keep their own text, furniture goes", "[cli][e2e][accuracy]") {
  // A two-page site: need is 2, so each article's title and lead, shown as the other page's
  // "Related" teaser, reach the site's need; menu and footer are on both pages. The teasers put
  // the footer more than 20 tokens below each body, out of its article flow.
  const std::vector<std::string> pottery = {
      "Potters open their studios this weekend",
      "Twelve workshops along the river road will welcome visitors on Saturday and Sunday from ten until five.",
      "Maps of the trail are free at the library and the station, and most studios will show how a pot is "
      "thrown, glazed and fired, with small pieces for sale at each stop.",
      "The organisers ask drivers to park in the field behind the church rather than on the narrow lane, where "
      "a tractor got stuck among the cars last year."};
  const std::vector<std::string> hall = {
      "Village hall roof repaired in time for the fete",
      "The leaking roof has been patched with slates saved from the old school.",
      "Volunteers spent four weekends on the scaffolding, and a roofer from the next village checked every row "
      "of slates and refused to take any money for his time.",
      "The fete committee can now hold the cake stall and the raffle indoors if it rains, which it has done on "
      "three of the last five fete days."};
  const std::vector<std::string> head = {"The Valley Post", "Home | Events | Contact"};
  const std::string footer = "Copyright The Valley Post, all rights reserved.";
  const pages in = {
      {"valley/pottery.txt", join(concat({head, pottery, {"Related", hall[0], hall[1], footer}}))},
      {"valley/hall.txt", join(concat({head, hall, {"Related", pottery[0], pottery[1], footer}}))}};
  temp_dir t;
  const cleaned c = clean(t, in, "default");
  for (const auto& [path, own] : {std::pair{"valley/pottery.txt", pottery}, std::pair{"valley/hall.txt", hall}}) {
    INFO(path << ":\n" << c.out.at(path));
    CHECK(c.out.at(path).rfind(join(own), 0) == 0);  // the page starts with its own article, whole
    for (const std::string& line : own) CHECK(verdict(c, in, path, line) == "kept");
    CHECK(verdict(c, in, path, head[0]) == R"(boilerplate,"pages":2,"group_pages":2)");
    CHECK(verdict(c, in, path, head[1]) == R"(boilerplate,"pages":2,"group_pages":2)");
    CHECK(verdict(c, in, path, footer) == R"(boilerplate,"pages":2,"group_pages":2)");
  }
  SECTION("--flow-tokens 0: the titles and leads go as furniture") {
    const cleaned off = clean(t, in, "flow-off", "--flow-tokens 0");
    CHECK(off.out.at("valley/pottery.txt") == join({pottery[2], pottery[3]}));
    CHECK(off.out.at("valley/hall.txt") == join({hall[2], hall[3]}));
  }
}

TEST_CASE("a shared line isolated in a page's own text stays on a two-page site", "[cli][e2e][accuracy]") {
  // Thin evidence: on two pages "Salt" reaches the site's need (2), but on each page it sits
  // between the recipe's own lines, too short (< 4 tokens) for the flow guard.
  const std::vector<std::string> head = {"Hilltop Kitchen", "Recipes | About"};
  const std::vector<std::string> scones = {
      "Cheese scones",
      "2 cups self-raising flour",
      "Salt",
      "1 cup grated cheddar",
      "Rub the butter into the flour, stir in the cheese and milk, and bake the rounds for twelve minutes "
      "until golden."};
  const std::vector<std::string> soup = {
      "Leek and potato soup",
      "3 leeks",
      "Salt",
      "4 floury potatoes",
      "Soften the leeks in butter, add the potatoes and stock, simmer for half an hour and blend until smooth."};
  const pages in = {{"hilltop/scones.txt", join(concat({head, scones}))},
                    {"hilltop/soup.txt", join(concat({head, soup}))}};
  temp_dir t;
  const cleaned c = clean(t, in, "default");
  CHECK(c.out.at("hilltop/scones.txt") == join(scones));
  CHECK(c.out.at("hilltop/soup.txt") == join(soup));
  CHECK(verdict(c, in, "hilltop/soup.txt", "Recipes | About") == R"(boilerplate,"pages":2,"group_pages":2)");
  SECTION("--flow-tokens 0 (no own-text guards): Salt goes") {
    const cleaned off = clean(t, in, "flow-off", "--flow-tokens 0");
    CHECK(verdict(off, in, "hilltop/scones.txt", "Salt") == R"(boilerplate,"pages":2,"group_pages":2)");
    CHECK(verdict(off, in, "hilltop/soup.txt", "Salt") == R"(boilerplate,"pages":2,"group_pages":2)");
  }
}

TEST_CASE("a block that one other page shows goes inside a run of furniture", "[cli][e2e][accuracy]") {
  // Two of the twelve gazette pages carry the same sponsored block between the "Most read" list
  // and the footer: 2 pages, below the site's need (3), but a run of shared lines.
  const std::vector<std::string> sponsored = {"Sponsored", "Win a weekend at the Cliff Hotel spa",
                                              "Garden sheds at half price this week"};
  pages in = gazette();
  for (const std::size_t i : {std::size_t{2}, std::size_t{7}}) {
    std::string& text = in[gazette_path(i)];
    text.insert(text.find("About us | Contact | Advertise\n"), join(sponsored));
  }
  temp_dir t;
  const cleaned c = clean(t, in, "default");
  for (const std::size_t i : {std::size_t{2}, std::size_t{7}}) {
    INFO(gazette_path(i));
    const story& s = stories[i];
    CHECK(c.out.at(gazette_path(i)) == join({s.headline, s.lead, s.p1, s.p2}));
    for (const std::string& line : {sponsored[1], sponsored[2]})
      CHECK(verdict(c, in, gazette_path(i), line) == R"(boilerplate,"pages":2,"group_pages":12)");
  }
  SECTION("--flow-tokens 0 (no furniture runs): the block stays") {
    const cleaned off = clean(t, in, "flow-off", "--flow-tokens 0");
    CHECK(verdict(off, in, gazette_path(2), sponsored[1]) == "kept");
  }
}

TEST_CASE("a template line at the same place under every body goes though it touches the body",
          "[cli][e2e][accuracy]") {
  // Two pages, so the line is in the article flow on only 2 pages, below min_boilerplate_pages
  // (3): only the same-place rule (the second line from the bottom on both) removes it. The
  // pages have different numbers of paragraphs so that the place counts from the bottom only.
  const std::string disclaimer = "The views in this column are the writer's own and not those of Coast Review.";
  const std::vector<std::string> head = {"Coast Review", "Reviews | Interviews | Podcast"};
  const std::string tail = "Follow us | Newsletter";
  const std::vector<std::string> gulls = {
      "In defence of the herring gull",
      "Everyone on the promenade has a story about a gull stealing a chip, but few people have watched one teach "
      "its chick to crack a mussel by dropping it on the slipway.",
      "The birds are clever, loyal to their nests and far fewer than they were, and the least we can do is keep "
      "our lunches to ourselves instead of shouting at them."};
  const std::vector<std::string> piers = {
      "Why every town needs its pier",
      "A pier is a street that goes nowhere, which is exactly why people love it: you walk to the end, look at "
      "the water and walk back a little calmer than before.",
      "Ours costs the council a fortune in paint and timber, and every few years somebody suggests pulling it "
      "down to save money on the budget.",
      "They are wrong, and the crowds on a summer evening, fishing lines over the rail and ice creams in hand, "
      "prove it better than any column could."};
  const pages in = {{"coast/gulls.txt", join(concat({head, gulls, {disclaimer, tail}}))},
                    {"coast/piers.txt", join(concat({head, piers, {disclaimer, tail}}))}};
  temp_dir t;
  const cleaned c = clean(t, in, "default");
  CHECK(c.out.at("coast/gulls.txt") == join(gulls));
  CHECK(c.out.at("coast/piers.txt") == join(piers));
  CHECK(verdict(c, in, "coast/gulls.txt", disclaimer) == R"(boilerplate,"pages":2,"group_pages":2)");
  CHECK(verdict(c, in, "coast/piers.txt", disclaimer) == R"(boilerplate,"pages":2,"group_pages":2)");
}

TEST_CASE("corpus tier: platform furniture on many sites goes, a list item and a wire sentence stay",
          "[cli][e2e][accuracy]") {
  temp_dir t;
  const pages in = platform();
  const cleaned c = clean(t, in, "default");
  const std::string on7 = R"(corpus,"sites":7,"run_sites":7)";
  const std::string on6 = R"(corpus,"sites":6,"run_sites":7)";
  for (const blog& b : blogs) {
    const std::string path = blog_path(b);
    INFO(path);
    // "Share this story" sits right under the body: a short line next to the page's own text
    // needs twice --corpus-sites (a dateline looks the same), and 7 sites are fewer than 10.
    CHECK(c.out.at(path) == join({b.title, b.p1, wire, b.p2, share_bar.front()}));
    CHECK(verdict(c, in, path, share_bar.front()) == "kept");
    for (const std::string& line : concat({top_bar, share_bar}))
      if (line != share_bar.front()) CHECK(verdict(c, in, path, line) == on7);
    CHECK(verdict(c, in, path, cookies) == on7);
    for (const std::string& line : sidebar) CHECK(verdict(c, in, path, line) == (line == "Salt" ? on7 : on6));
    CHECK(verdict(c, in, path, wire) == "kept");  // on 6 sites, but in the flow of each story
  }
  // "Salt" sits between the recipe's own short lines: an item of the page's own list.
  CHECK(c.out.at("soda-bread/index.txt") == join(concat({recipe_lines, {share_bar.front()}, more_recipes})));
  CHECK(verdict(c, in, "soda-bread/index.txt", "Salt") == "kept");
  SECTION("--corpus-sites 3: the line next to the body needs 6 sites, and has 7") {
    const cleaned low = clean(t, in, "corpus-3", "--corpus-sites 3");
    for (const blog& b : blogs) CHECK(low.out.at(blog_path(b)) == join({b.title, b.p1, wire, b.p2}));
  }
  SECTION("--corpus-sites 0: nothing is removed") {
    const cleaned off = clean(t, in, "corpus-off", "--corpus-sites 0");
    for (const auto& [path, text] : in) CHECK(off.out.at(path) == text);
  }
}

TEST_CASE("a menu printed twice loses its second copy, a chorus sung three times stays", "[cli][e2e][accuracy]") {
  temp_dir t;
  const pages in = repeats();
  const cleaned c = clean(t, in, "default");
  const std::string page = "allotments/show.txt";
  CHECK(c.out.at(page) == join(concat({menu, show_story})));
  std::size_t offset = 0;  // of the first copy of each menu line
  for (const std::string& line : menu) {
    CHECK(verdict(c, in, page, line, 0) == "kept");
    CHECK(verdict(c, in, page, line, 1) == "line_repeat,\"first_copy_at\":" + std::to_string(offset));
    offset += line.size() + 1;
  }
  CHECK(c.out.at("songs/ferryman.txt") == in.at("songs/ferryman.txt"));
  SECTION("--line-repeat-run 0: the second menu stays") {
    const cleaned off = clean(t, in, "repeat-off", "--line-repeat-run 0");
    for (const auto& [path, text] : in) CHECK(off.out.at(path) == text);
  }
}

// ------------------------------------------------------------------ template lines

// Titles of stories that are on no page of the run: the "Read more" line under each story
// names one, so the embedded-title key cannot see it; only its fixed label recurs.
const char* const elsewhere[12] = {
    "Lifeboat crew called out twice in one night",     "New bus shelter for the harbour road",
    "Council names the winners of the float parade",   "Storm damage closes the coastal footpath",
    "School choir sings at the lighthouse reopening",  "Fish market to open an hour earlier",
    "Library extends its Saturday opening hours",      "Quay wall repairs start after Easter",
    "Allotment society plans a spring plant sale",     "Cliff railway celebrates its hundredth year",
    "Town band needs a new tuba player",               "Second ferry berth approved by planners"};

const char* const quays[18] = {"Mill Quay",   "Salt Steps",  "Old Slip",     "Fisher Row",  "Kings Wharf",
                               "Ropewalk",    "Gull Point",  "Ferry Steps",  "Coal Quay",   "Net Lofts",
                               "Tanners Slip", "Chapel Pier", "Bell Wharf",  "Crab Steps",  "Anchor Row",
                               "Pilot Quay",  "Tide Mill",   "Harbour Arm"};

// The gazette with a "Read more:" line under each story and, in half the stories, a small
// table of tide times whose rows share their wording inside the page.
pages gazette_with_templates() {
  pages p = gazette();
  for (std::size_t i = 0; i < 12; ++i) {
    std::string& text = p[gazette_path(i)];
    const std::string after = std::string(stories[i].p2) + "\n";
    std::string extra = "Read more: " + std::string(elsewhere[i]) + "\n";
    if (i % 2 == 0)
      for (std::size_t k = 0; k < 3; ++k)
        extra += "High tide at " + std::string(quays[(3 * i + k) % 18]) + " " + std::to_string(i + k + 1) +
                 " metres\n";
    text.insert(text.find(after) + after.size(), extra);
  }
  return p;
}

TEST_CASE("a template line whose title is nowhere else goes, a table's own rows stay", "[cli][e2e][accuracy]") {
  temp_dir t;
  const pages in = gazette_with_templates();
  const cleaned c = clean(t, in, "default");
  for (std::size_t i = 0; i < 12; ++i) {
    const std::string path = gazette_path(i);
    INFO(path);
    const story& s = stories[i];
    const std::string read_more = "Read more: " + std::string(elsewhere[i]);
    // The label recurs around a different title on every page: a template (2 fixed tokens).
    CHECK(verdict(c, in, path, read_more) ==
          R"(template,"pages":12,"group_pages":12,"prefix_tokens":2,"suffix_tokens":0)");
    std::vector<std::string> want = {s.headline, s.lead, s.p1, s.p2};
    if (i % 2 == 0) {
      // The rows share "high tide at ... # metres" inside the page: the page's own table,
      // though six pages carry the same pattern.
      for (std::size_t k = 0; k < 3; ++k) {
        const std::size_t at = in.at(path).find("High tide at " + std::string(quays[(3 * i + k) % 18]));
        const std::string row = in.at(path).substr(at, in.at(path).find('\n', at) - at);
        CHECK(verdict(c, in, path, row) == "kept");
        want.push_back(row);
      }
    }
    CHECK(c.out.at(path) == join(want));
  }
  SECTION("--template-lines false keeps the Read more lines") {
    const cleaned off = clean(t, in, "templates-off", "--template-lines false");
    for (std::size_t i = 0; i < 12; ++i)
      CHECK(verdict(off, in, gazette_path(i), "Read more: " + std::string(elsewhere[i])) == "kept");
  }
}

TEST_CASE("the accuracy rules give the same bytes whatever --jobs", "[cli][e2e][accuracy]") {
  // All the sites above in one run: 11 groups, so the corpus tier applies across all of them.
  pages in = gazette();
  in.merge(platform());
  in.merge(repeats());
  temp_dir t;
  const cleaned one = clean(t, in, "j1", "--jobs 1");
  const cleaned two = clean(t, in, "j2", "--jobs 2");
  CHECK(one.out == two.out);
  CHECK(one.report == two.report);
  CHECK(one.out.at(gazette_path(0)) == join({stories[0].headline, stories[0].lead, stories[0].p1, stories[0].p2}));
}
