// build_corpus (corpus_builder.h): list every source, draw the pictures on `jobs` threads, drop
// near duplicates in source order, split by concept and source, and write the files.
#include "datasets/corpus/corpus_builder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/path_checks.h"
#include "core/base/hashing.h"
#include "core/base/utf8.h"
#include "datasets/cldr_annotations.h"
#include "datasets/corpus/corpus_source.h"
#include "datasets/corpus/perceptual_hash.h"
#include "datasets/corpus/picture_canvas.h"
#include "datasets/emoji_collection.h"
#include "datasets/stream_pipeline.h"
#include "datasets/tsv_format.h"
#include "datasets/webdataset.h"
#include "render/image_decoder.h"
#include "render/png_codec.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTrain = "train";
constexpr const char* kHeldoutConcepts = "heldout_concepts";
constexpr const char* kHeldoutSource = "heldout_source";
constexpr size_t kMaxBrokenListed = 20;

// The source `make` builds on the first package root where its files are, else on the first
// root (so that its missing() names the folder setup_corpus.sh fills).
std::unique_ptr<CorpusSource> on_first_root_with_files(
    const std::vector<std::string>& roots, const std::function<std::unique_ptr<CorpusSource>(const std::string&)>& make) {
  for (const std::string& root : roots) {
    auto source = make(root);
    if (source->missing().empty()) return source;
  }
  return make(roots.front());
}

std::shared_ptr<const EmojiCaptionTable> read_captions(const CorpusOptions& o) {
  std::vector<std::string> cldr = o.cldr_dirs;
  if (cldr.empty()) cldr = {kCldrAnnotationsDir, kCldrAnnotationsDerivedDir};
  return std::make_shared<const EmojiCaptionTable>(read_emoji_caption_table(cldr));
}

std::vector<std::unique_ptr<CorpusSource>> make_sources(const CorpusOptions& o,
                                                        const std::shared_ptr<const EmojiCaptionTable>& captions) {
  std::vector<std::unique_ptr<CorpusSource>> all;
  all.push_back(on_first_root_with_files(o.package_roots, make_art4apps_source));
  for (const IconifySetSpec& set : iconify_emoji_sets()) all.push_back(make_iconify_source(set, o.npm_dir, captions));
  all.push_back(on_first_root_with_files(
      o.package_roots, [&](const std::string& root) { return make_iso_flags_source(root, captions); }));
  all.push_back(on_first_root_with_files(o.package_roots, make_openclipart_source));
  all.push_back(on_first_root_with_files(o.package_roots, make_sweethome3d_source));
  all.push_back(on_first_root_with_files(o.package_roots, make_tuxpaint_stamps_source));
  all.push_back(on_first_root_with_files(o.package_roots, [&](const std::string& root) {
    return make_fashion_mnist_source(root, captions, o.fashion_mnist_per_class);
  }));
  // The held-out source first: near duplicates keep its picture and drop the training one.
  std::stable_partition(all.begin(), all.end(), [&](const auto& s) { return s->name() == o.heldout_source; });
  std::vector<std::unique_ptr<CorpusSource>> chosen;
  for (auto& s : all) {
    if (o.sources.empty() || std::find(o.sources.begin(), o.sources.end(), s->name()) != o.sources.end())
      chosen.push_back(std::move(s));
  }
  return chosen;
}

void check_options(const CorpusOptions& o) {
  CLIPPO_CHECK(!o.out_dir.empty(), kInvalidArgument, "corpus: give an output folder");
  CLIPPO_CHECK(o.image_size_px >= 16 && o.image_size_px <= 1024, kInvalidArgument,
               "corpus: image size must be in [16, 1024] px, got " + std::to_string(o.image_size_px));
  CLIPPO_CHECK(o.jobs >= 1 && o.jobs <= 256, kInvalidArgument, "corpus: jobs must be in [1, 256]");
  CLIPPO_CHECK(o.heldout_concept_fraction >= 0 && o.heldout_concept_fraction < 1, kInvalidArgument,
               "corpus: the held-out concept fraction must be in [0, 1)");
  CLIPPO_CHECK(o.english_share >= 0 && o.english_share <= 1 && o.name_share >= 0 && o.name_share <= 1,
               kInvalidArgument, "corpus: english_share and name_share must be in [0, 1]");
  CLIPPO_CHECK(!o.package_roots.empty(), kInvalidArgument, "corpus: give at least one package root");
  const std::vector<std::string> known = corpus_source_names();
  for (const std::string& s : o.sources) {
    CLIPPO_CHECK(std::find(known.begin(), known.end(), s) != known.end(), kInvalidArgument,
                 "corpus: unknown source '" + s + "'");
  }
}

// What drawing one item gave.
struct Drawn {
  bool ok = false, blank = false;
  std::string error;
  PictureFingerprint fp;
};

// Draws every item (or reads back the PNG an earlier run wrote) on `jobs` threads.
std::vector<Drawn> draw_all(const std::vector<CorpusItem>& items, const CorpusOptions& o, const fs::path& images) {
  std::vector<Drawn> out(items.size());
  std::atomic<size_t> next{0}, done{0};
  std::mutex log_mutex;
  auto work = [&] {
    for (size_t i = next++; i < items.size(); i = next++) {
      const CorpusItem& item = items[i];
      const fs::path png = images / (item.key + ".png");
      Drawn& d = out[i];
      try {
        ImageU8 picture;
        if (path_exists(png)) {
          picture = render::decode_image_file(png.string());
        }
        if (picture.height != o.image_size_px || picture.width != o.image_size_px) {
          picture = item.draw(o.image_size_px);
          CLIPPO_CHECK(picture.height == o.image_size_px && picture.width == o.image_size_px && picture.channels == 3,
                       kInternal, "source " + item.source + " drew a picture of the wrong shape");
          if (is_blank(picture)) {
            d.blank = true;
          } else {
            write_file_atomically(png.string(), render::encode_png(picture));
          }
        }
        if (!d.blank) {
          d.fp = fingerprint(picture);
          d.ok = true;
        }
      } catch (const Error& e) {
        d.error = item.origin + ": " + e.what();
      } catch (const std::exception& e) {  // a source's own failure (std::bad_alloc, a JSON type)
        d.error = item.origin + ": " + e.what();
      }
      const size_t n = ++done;
      if (o.on_line && (n % 2000 == 0 || n == items.size())) {
        std::lock_guard<std::mutex> lock(log_mutex);
        o.on_line("drawn " + std::to_string(n) + " / " + std::to_string(items.size()));
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < o.jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return out;
}

nlohmann::ordered_json xm3600_line(const CorpusItem& item) {
  nlohmann::ordered_json line = {{"image/key", item.key}};
  for (const auto& [locale, captions] : item.captions) line[locale] = {{"caption", captions}};
  return line;
}

// A Crossmodal-3600 folder of `items` (their PNGs copied from `images`), each locale's name
// only: keywords make ambiguous queries ("face" names dozens of emoji, but counts for one).
void write_xm3600_folder(const fs::path& dir, const std::vector<const CorpusItem*>& items, const fs::path& images) {
  make_directories((dir / "images").string());
  std::string jsonl;
  for (const CorpusItem* item : items) {
    const std::string name = item->key + ".png";
    write_file_atomically((dir / "images" / name).string(), read_file((images / name).string()));
    nlohmann::ordered_json line = {{"image/key", item->key}};
    for (const auto& [locale, captions] : item->captions) {
      if (!captions.empty()) line[locale] = {{"caption", {captions.front()}}};
    }
    jsonl += line.dump() + "\n";
  }
  write_file_atomically((dir / "captions.jsonl").string(), jsonl);
}

// Emoji (flags included) are held out by concept, in every style. A drawing of another source
// is its own concept and stays in training: its title is no benchmark query.
bool is_heldout_concept(const std::string& concept_id, double fraction) {
  return concept_id.rfind("emoji:", 0) == 0 && is_heldout_key(concept_id, fraction);
}

bool draw_below(std::mt19937_64& rng, double p) {
  return static_cast<double>(rng() >> 11) / static_cast<double>(uint64_t{1} << 53) < p;
}

}  // namespace

std::vector<std::string> corpus_source_names() {
  std::vector<std::string> names = {"art4apps"};
  for (const IconifySetSpec& s : iconify_emoji_sets()) names.push_back(s.name);
  names.push_back("iso-flags");
  names.push_back("openclipart");
  names.push_back("sweethome3d");
  names.push_back("fashion-mnist");
  return names;
}

nlohmann::json to_json(const CorpusSummary& s) {
  nlohmann::ordered_json sources = nlohmann::ordered_json::object();
  for (const auto& [name, c] : s.sources) {
    sources[name] = {{"missing", c.missing},         {"licence", c.licence},
                     {"n_listed", c.n_listed},       {"n_broken", c.n_broken},
                     {"n_blank", c.n_blank},         {"n_duplicates", c.n_duplicates},
                     {"n_train", c.n_train},         {"n_heldout_concepts", c.n_heldout_concepts},
                     {"n_heldout_source", c.n_heldout_source}, {"notes", c.notes}};
  }
  return {{"sources", sources},
          {"items_per_locale", s.items_per_locale},
          {"n_train_items", s.n_train_items},
          {"n_heldout_concept_items", s.n_heldout_concept_items},
          {"n_heldout_concepts", s.n_heldout_concepts},
          {"n_heldout_source_items", s.n_heldout_source_items},
          {"n_train_examples", s.n_train_examples},
          {"n_text_pairs", s.n_text_pairs},
          {"n_shards", s.n_shards},
          {"broken", s.broken}};
}

std::string summary_markdown(const CorpusSummary& s) {
  std::string md = "## Items per source\n\n| source | licence | listed | broken | blank | duplicates | train | "
                   "held-out concepts | held-out source |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const auto& [name, c] : s.sources) {
    if (!c.missing.empty()) {
      md += "| " + name + " | skipped: missing " + c.missing + " | | | | | | | |\n";
      continue;
    }
    md += "| " + name + " | " + c.licence + " | " + std::to_string(c.n_listed) + " | " + std::to_string(c.n_broken) +
          " | " + std::to_string(c.n_blank) + " | " + std::to_string(c.n_duplicates) + " | " +
          std::to_string(c.n_train) + " | " + std::to_string(c.n_heldout_concepts) + " | " +
          std::to_string(c.n_heldout_source) + " |\n";
  }
  md += "\nTraining items " + std::to_string(s.n_train_items) + "; held-out concepts " +
        std::to_string(s.n_heldout_concepts) + " (" + std::to_string(s.n_heldout_concept_items) +
        " items in all styles; heldout_concepts/ holds one picture per concept); held-out source items " +
        std::to_string(s.n_heldout_source_items) + "; training examples " + std::to_string(s.n_train_examples) +
        "; text pairs " + std::to_string(s.n_text_pairs) + ".\n\n## Items with a caption, per locale\n\n"
        "| locale | train | held-out concepts | held-out source |\n| --- | ---: | ---: | ---: |\n";
  for (const auto& [locale, locale_splits] : s.items_per_locale) {
    const auto& splits = locale_splits;  // a lambda cannot capture a structured binding in clang 14
    auto n = [&](const char* split) {
      const auto it = splits.find(split);
      return std::to_string(it == splits.end() ? 0 : it->second);
    };
    md += "| " + locale + " | " + n(kTrain) + " | " + n(kHeldoutConcepts) + " | " + n(kHeldoutSource) + " |\n";
  }
  return md;
}

namespace {

// The name slug of an English caption, a leading article dropped: "A cow." and "The Cow" -> "cow",
// so a described picture (Tux Paint's "A cow.") is matched to the emoji it names like a titled one.
std::string english_name_slug(std::string_view caption) {
  for (const std::string_view article : {"a ", "an ", "the ", "some "}) {
    if (caption.size() > article.size() && std::equal(article.begin(), article.end(), caption.begin(), [](char a, char c) {
          return a == std::tolower(static_cast<unsigned char>(c));
        })) {
      caption.remove_prefix(article.size());
      break;
    }
  }
  return name_slug(std::string(caption));
}

// English emoji name slug ("cat", "washbasin") -> the emoji's concept ("emoji:1f408").
std::map<std::string, std::string> emoji_concepts_by_name(const EmojiCaptionTable& captions) {
  std::map<std::string, std::string> out;
  for (const auto& [key, locales] : captions) {
    const auto en = locales.find("en");
    if (en != locales.end() && !en->second.empty()) out.emplace(name_slug(en->second.front()), emoji_concept(key));
  }
  return out;
}

// Characters outside ASCII that separate words as ASCII punctuation and spaces do: Latin-1's
// signs and spaces (´ ° © ×, not ª µ º), the apostrophe letter ʼ, the general punctuation block (’ “ – …, the spaces and
// joiners), letterlike symbols through arrows, shapes and dingbats (™ € →), CJK punctuation,
// variation selectors, the byte-order mark, emoji, and what was not UTF-8 (U+FFFD).
bool is_word_separator(char32_t cp) {
  if (cp >= 0x80 && cp <= 0xBF) return cp != 0xAA && cp != 0xB5 && cp != 0xBA;
  return cp == 0xD7 || cp == 0xF7 || cp == 0x2BC || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == kReplacementChar || cp >= 0x1F000;
}

// The words of an English text, ASCII lower-cased and joined by one space. Letters outside ASCII
// belong to their word: "A European bear." -> "a european bear", "Piñata" -> "piñata" (not
// "pi ata", which a caption's "pi" could meet). Only ASCII is lower-cased and nothing is
// normalised: "ÅLAND" is not "åland", which costs little, as few emoji names have such letters.
std::string english_words(std::string_view text) {
  std::string out;
  bool in_word = false;
  for (const char32_t cp : decode_utf8(text)) {
    const bool word_char = cp < 0x80 ? std::isalnum(static_cast<int>(cp)) != 0 : !is_word_separator(cp);
    if (!word_char) {
      in_word = false;
      continue;
    }
    if (!in_word && !out.empty()) out += ' ';
    append_utf8(cp < 0x80 ? static_cast<char32_t>(std::tolower(static_cast<int>(cp))) : cp, out);
    in_word = true;
  }
  return out;
}

// Drawn emoji concepts by the words of their English name ("teddy bear" -> "emoji:1f9f8"); a name
// two emoji share lists both.
struct EmojiNames {
  std::map<std::string, std::vector<std::string>> concepts_by_words;
  size_t max_words = 1;
};

// The held-out concept `text` names, or "". Read left to right, the longest emoji name at each
// word wins and the reading goes on after it, so "Simple Teddy Bear" names the teddy bear (a
// concept of its own) and not the bear inside its name, and "Waving flag: Germany" names the flag.
std::string heldout_concept_named_in(const std::string& text, const EmojiNames& names, double heldout_fraction) {
  std::vector<std::string> words;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find(' ', at), text.size());
    words.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  for (size_t i = 0; i < words.size();) {
    std::string run;
    const std::vector<std::string>* longest = nullptr;
    size_t longest_end = i;
    for (size_t j = i; j < words.size() && j < i + names.max_words; ++j) {
      run += (j > i ? " " : "") + words[j];
      const auto hit = names.concepts_by_words.find(run);
      if (hit != names.concepts_by_words.end()) {
        longest = &hit->second;
        longest_end = j;
      }
    }
    if (longest == nullptr) {
      ++i;
      continue;
    }
    for (const std::string& concept_id : *longest) {
      if (is_heldout_concept(concept_id, heldout_fraction)) return concept_id;
    }
    i = longest_end + 1;
  }
  return "";
}

// Keeps held-out emoji concepts out of training when another source's picture shows them. Both
// rules read a picture's first English caption (its title or description); keywords and tags
// name too much in passing ("sun" on a beach ball, "child" on a seesaw).
// 1. A picture whose English name is an emoji's name ("Cat", "A cow.") shows that emoji's
//    concept and takes it, so it shares the concept's split.
// 2. A picture whose English name names a held-out emoji among other words ("A European bear.",
//    "A pair of blue jeans") most likely shows it too: it is held out with that concept. Some
//    that do not ("Baseball Bat") are held out as well; a few training pictures lost cost less
//    than a held-out concept seen in training. (Emoji themselves keep their code points: 🧸
//    "teddy bear" is its own concept even when 🐻 "bear" is held out; that is the split measured.)
// Only emoji that some source draws count (an Iconify set, a flag, a Fashion-MNIST class): CLDR
// also names symbols no emoji set has ("bullet" is U+2022 '•'), and a stamp of a rifle bullet is
// not that. The held-out source is held out whole; its concepts keep their own names.
void name_pictures_as_emoji(std::vector<CorpusItem>& items, const EmojiCaptionTable& emoji_captions,
                            const CorpusOptions& o, CorpusSummary& summary) {
  std::set<std::string> drawn_concepts;
  for (const CorpusItem& item : items) {
    if (item.concept_id.rfind("emoji:", 0) == 0) drawn_concepts.insert(item.concept_id);
  }
  const std::map<std::string, std::string> emoji_by_name = emoji_concepts_by_name(emoji_captions);
  EmojiNames drawn_names;
  for (const auto& [key, locales] : emoji_captions) {
    const std::string concept_id = emoji_concept(key);
    const auto en = locales.find("en");
    if (en == locales.end() || en->second.empty() || !drawn_concepts.count(concept_id)) continue;
    const std::string words = english_words(en->second.front());
    if (words.empty()) continue;
    std::vector<std::string>& concepts = drawn_names.concepts_by_words[words];
    if (std::find(concepts.begin(), concepts.end(), concept_id) == concepts.end()) concepts.push_back(concept_id);
    drawn_names.max_words = std::max<size_t>(drawn_names.max_words, std::count(words.begin(), words.end(), ' ') + 1);
  }
  for (CorpusItem& item : items) {
    const auto en = item.captions.find("en");
    if (item.source == o.heldout_source || item.concept_id.rfind("emoji:", 0) == 0 || en == item.captions.end() ||
        en->second.empty())
      continue;
    const std::string& name = en->second.front();
    const auto match = emoji_by_name.find(english_name_slug(name));
    if (match != emoji_by_name.end() && drawn_concepts.count(match->second)) {
      item.concept_id = match->second;
      ++summary.sources[item.source].notes["pictures named as an emoji (given its concept)"];
      continue;
    }
    const std::string heldout = heldout_concept_named_in(english_words(name), drawn_names, o.heldout_concept_fraction);
    if (heldout.empty()) continue;
    item.concept_id = heldout;
    ++summary.sources[item.source].notes["pictures whose name names a held-out emoji (held out with it)"];
  }
}

}  // namespace

CorpusSummary build_corpus(const CorpusOptions& o) {
  check_options(o);
  auto say = [&](const std::string& line) {
    if (o.on_line) o.on_line(line);
  };
  const fs::path out(o.out_dir), images = out / "images";
  make_directories(images.string());

  CorpusSummary summary;
  std::vector<CorpusItem> items;
  const auto emoji_captions = read_captions(o);
  for (const auto& source : make_sources(o, emoji_captions)) {
    CorpusSourceCounts& counts = summary.sources[source->name()];
    counts.missing = source->missing();
    if (!counts.missing.empty()) {
      say("skipping source " + source->name() + ": missing " + counts.missing);
      continue;
    }
    std::vector<CorpusItem> listed;
    std::string unreadable;  // that source only is skipped
    try {
      listed = source->list_items(counts.notes);
    } catch (const std::filesystem::filesystem_error& e) {  // a folder that cannot be walked
      unreadable = e.what();
    } catch (const Error& e) {  // a damaged index file of one source (a catalogue, a labels file)
      unreadable = e.what();
    }
    if (!unreadable.empty()) {
      counts.missing = "unreadable: " + unreadable;
      say("skipping source " + source->name() + ": " + unreadable);
      continue;
    }
    counts.n_listed = listed.size();
    std::set<std::string> licences;  // a source may mix them (Sweet Home 3D's libraries do)
    for (const CorpusItem& item : listed) licences.insert(item.licence);
    for (const std::string& l : licences) counts.licence += (counts.licence.empty() ? "" : ", ") + l;
    say("source " + source->name() + ": " + std::to_string(listed.size()) + " items");
    for (CorpusItem& item : listed) items.push_back(std::move(item));
  }
  CLIPPO_CHECK(!items.empty(), kNotFound,
               "corpus: no source found any item; run scripts/setup_corpus.sh to install the packages");
  name_pictures_as_emoji(items, *emoji_captions, o, summary);

  const std::vector<Drawn> drawn = draw_all(items, o, images);

  // Keep, in source order, what drew and is not a near duplicate of a kept picture.
  NearDuplicateIndex seen;
  std::vector<const CorpusItem*> train, heldout_concept_items, heldout_source;
  std::map<std::string, std::vector<const CorpusItem*>> heldout_by_concept;
  std::string items_jsonl;
  for (size_t i = 0; i < items.size(); ++i) {
    const CorpusItem& item = items[i];
    CorpusSourceCounts& counts = summary.sources[item.source];
    if (!drawn[i].error.empty()) {
      ++counts.n_broken;
      if (summary.broken.size() < kMaxBrokenListed) summary.broken.push_back(drawn[i].error);
      continue;
    }
    if (drawn[i].blank) {
      ++counts.n_blank;
      continue;
    }
    if (seen.find_or_add(drawn[i].fp, static_cast<long long>(i)) >= 0) {
      ++counts.n_duplicates;
      continue;
    }
    const char* split = kTrain;
    if (item.source == o.heldout_source) {
      split = kHeldoutSource;
      heldout_source.push_back(&item);
      ++counts.n_heldout_source;
    } else if (is_heldout_concept(item.concept_id, o.heldout_concept_fraction)) {
      split = kHeldoutConcepts;
      heldout_concept_items.push_back(&item);
      heldout_by_concept[item.concept_id].push_back(&item);
      ++counts.n_heldout_concepts;
    } else {
      train.push_back(&item);
      ++counts.n_train;
    }
    for (const auto& [locale, captions] : item.captions) {
      if (!captions.empty()) ++summary.items_per_locale[locale][split];
    }
    items_jsonl += nlohmann::ordered_json{{"key", item.key},         {"source", item.source},
                                          {"concept", item.concept_id}, {"licence", item.licence},
                                          {"origin", item.origin},   {"split", split}}
                       .dump() +
                   "\n";
  }
  summary.n_train_items = train.size();
  summary.n_heldout_concept_items = heldout_concept_items.size();
  summary.n_heldout_concepts = heldout_by_concept.size();
  summary.n_heldout_source_items = heldout_source.size();

  // One picture per held-out concept: the concept's own emoji (no skin tone) where there is one,
  // in a style chosen by the concept's hash, so every style is evaluated somewhere.
  std::vector<const CorpusItem*> heldout_concepts;
  for (const auto& [concept_name, members] : heldout_by_concept) {
    std::vector<const CorpusItem*> base;
    for (const CorpusItem* m : members) {
      if ("emoji:" + m->key.substr(m->key.rfind('-') + 1) == m->concept_id) base.push_back(m);
    }
    const std::vector<const CorpusItem*>& pool = base.empty() ? members : base;
    heldout_concepts.push_back(pool[fmix64(fnv1a64(concept_name)) % pool.size()]);
  }

  // Crossmodal-3600 views.
  std::string captions_jsonl;
  nlohmann::ordered_json split = {{kTrain, nlohmann::json::array()}, {kHeldoutConcepts, nlohmann::json::array()}};
  for (const CorpusItem* item : train) {
    captions_jsonl += xm3600_line(*item).dump() + "\n";
    split[kTrain].push_back(item->key);
  }
  for (const CorpusItem* item : heldout_concept_items) {
    captions_jsonl += xm3600_line(*item).dump() + "\n";
    split[kHeldoutConcepts].push_back(item->key);
  }
  write_xm3600_folder(out / kHeldoutConcepts, heldout_concepts, images);
  write_xm3600_folder(out / kHeldoutSource, heldout_source, images);

  // Training examples: rounds of every training item once, one caption drawn for each.
  std::mt19937_64 rng(o.seed);
  std::vector<ImageTextExample> examples;
  examples.reserve(train.size() * o.train_rounds);
  std::vector<const CorpusItem*> order = train;
  for (size_t round = 0; round < o.train_rounds; ++round) {
    shuffle_in_place(order, rng);
    for (const CorpusItem* item : order) {
      const auto en = item->captions.find("en");
      auto locale_it = item->captions.begin();
      if (en != item->captions.end() && draw_below(rng, o.english_share)) {
        locale_it = en;
      } else {
        std::advance(locale_it, uniform_below(rng, item->captions.size()));
      }
      const std::vector<std::string>& captions = locale_it->second;
      if (captions.empty()) continue;
      const bool name = captions.size() == 1 || draw_below(rng, o.name_share);
      const std::string& caption = name ? captions.front() : captions[1 + uniform_below(rng, captions.size() - 1)];
      examples.push_back(ImageTextExample{"", "images/" + item->key + ".png", "", caption, locale_it->first});
    }
  }
  summary.n_train_examples = examples.size();

  // Text pairs: each training concept's English name beside its name in every other locale, once
  // per concept (the first item of a concept in source order speaks for it).
  std::vector<TextPairExample> pairs;
  std::set<std::string> concepts_paired;
  for (const CorpusItem* item : train) {
    const auto en = item->captions.find("en");
    if (en == item->captions.end() || en->second.empty() || !concepts_paired.insert(item->concept_id).second) continue;
    for (const auto& [locale, captions] : item->captions) {
      if (locale == "en" || captions.empty() || captions.front() == en->second.front()) continue;
      pairs.push_back(TextPairExample{en->second.front(), captions.front(), "en", locale});
    }
  }
  summary.n_text_pairs = pairs.size();

  // WebDataset shards of the training items, the form that travels (to a GPU machine, say).
  make_directories((out / "shards").string());
  WebDatasetWriter shards((out / "shards" / "train").string(), o.shard_items);
  for (const CorpusItem* item : train) {
    const auto en = item->captions.find("en");
    const auto& first = en != item->captions.end() ? en->second : item->captions.begin()->second;
    nlohmann::json meta = {{"captions", item->captions}, {"source", item->source}, {"concept", item->concept_id},
                           {"licence", item->licence}, {"origin", item->origin}};
    shards.add(item->key, read_file((images / (item->key + ".png")).string()), "png", first.front(), meta.dump());
  }
  summary.n_shards = shards.finish().size();

  // The listing files last: a reader that finds them finds every picture they name.
  write_image_text_tsv((out / "train.tsv").string(), examples);
  write_text_pairs_tsv((out / "text_pairs.tsv").string(), pairs);
  write_file_atomically((out / "items.jsonl").string(), items_jsonl);
  write_file_atomically((out / "captions.jsonl").string(), captions_jsonl);
  write_file_atomically((out / "split.json").string(), split.dump(1) + "\n");
  write_file_atomically((out / "summary.json").string(), to_json(summary).dump(2) + "\n");
  write_file_atomically((out / "summary.md").string(), summary_markdown(summary));
  return summary;
}

}  // namespace clippo::datasets
