// Builds the emoji collection: gathers the chosen locales' annotations per emoji, draws the
// emoji the font can show, and writes images, captions, index, split and the training TSVs.
#include "datasets/emoji_collection.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/hashing.h"
#include "core/base/utf8.h"
#include "datasets/tsv_format.h"
#include "render/png_codec.h"

namespace clippo::datasets {
namespace {

// One emoji and what each locale says about it (pointers into the LocaleAnnotations).
using EmojiLocales = std::map<std::string, const EmojiAnnotation*>;

// The emoji without U+FE0F: CLDR's own form, so that "☺" and "☺️" from hand-made data are one.
std::string strip_variation_selectors(const std::string& emoji) {
  std::string out;
  for (const char32_t cp : decode_utf8(emoji)) {
    if (cp != 0xFE0F) append_utf8(cp, out);
  }
  return out;
}

// emoji -> locale -> annotation, for annotations that carry a name; in code point order.
std::map<std::string, EmojiLocales> gather_named_emoji(const LocaleAnnotations& annotations) {
  std::map<std::string, EmojiLocales> out;
  for (const auto& [locale, emoji_map] : annotations) {
    for (const auto& [emoji, annotation] : emoji_map) {
      // Keywords without a name are rare partial translations; the name leads every caption list.
      if (annotation.name.empty()) continue;
      out[strip_variation_selectors(emoji)].emplace(locale, &annotation);
    }
  }
  return out;
}

// Name first, then the keywords, each once: evaluation counts a caption once however often a
// locale repeats it (CLDR lists the name among the keywords too).
std::vector<std::string> captions_of(const EmojiAnnotation& a) {
  std::vector<std::string> captions{a.name};
  std::set<std::string> seen{a.name};
  for (const std::string& keyword : a.keywords) {
    if (seen.insert(keyword).second) captions.push_back(keyword);
  }
  return captions;
}

// The name index.tsv shows: English when there is one, else the first locale's.
std::string index_name(const EmojiLocales& locales) {
  const auto en = locales.find("en");
  std::string name = en != locales.end() ? en->second->name : locales.begin()->second->name;
  for (char& c : name) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';  // keep one record per line, two fields
  }
  return name;
}

void check_options(const EmojiCollectionOptions& o) {
  CLIPPO_CHECK(!o.out_dir.empty(), kInvalidArgument, "emoji collection: give an output folder");
  CLIPPO_CHECK(
      o.image_size_px >= 8 && o.image_size_px <= 4096, kInvalidArgument,
      "emoji collection: image size must be in [8, 4096] px, got " + std::to_string(o.image_size_px));
  CLIPPO_CHECK(
      o.heldout_fraction >= 0.0 && o.heldout_fraction <= 1.0, kInvalidArgument,
      "emoji collection: held-out fraction must be in [0, 1], got " + std::to_string(o.heldout_fraction));
  CLIPPO_CHECK(!o.cldr_dirs.empty(), kInvalidArgument, "emoji collection: give at least one CLDR folder");
}

}  // namespace

nlohmann::json to_json(const EmojiCollectionSummary& s) {
  return {{"n_emoji", s.n_emoji},
          {"n_skipped_multi_codepoint", s.n_skipped_multi_codepoint},
          {"n_skipped_no_glyph", s.n_skipped_no_glyph},
          {"n_locales", s.n_locales},
          {"n_captions", s.n_captions},
          {"n_train", s.n_train},
          {"n_heldout", s.n_heldout}};
}

bool is_heldout_key(const std::string& key, double fraction) {
  // FNV-1a leaves the high bits poorly mixed for short keys such as "1f600" (10% asked gave 8.9%
  // over 10,000 keys); MurmurHash3's fmix64 finalizer spreads them.
  const uint64_t hash = fmix64(fnv1a64(key));
  // The top 53 bits as a double in [0, 1): exact, so the comparison is the same everywhere.
  const double unit = static_cast<double>(hash >> 11) / static_cast<double>(uint64_t{1} << 53);
  return unit < fraction;
}

EmojiCollectionSummary build_emoji_collection(const EmojiCollectionOptions& o) {
  check_options(o);
  // The font first: it is one file, checked in an instant, before seconds of CLDR parsing.
  const EmojiRenderer renderer(o.font_path);
  CldrReadOptions read_options;
  read_options.include_unconfirmed = o.include_unconfirmed;
  const LocaleAnnotations annotations = read_cldr_annotation_folders(o.cldr_dirs, o.locales, read_options);

  EmojiCollectionSummary summary;
  const std::map<std::string, EmojiLocales> named = gather_named_emoji(annotations);
  std::vector<std::pair<const std::string*, const EmojiLocales*>> chosen;  // pointers into `named`
  for (const auto& [emoji, locales] : named) {
    if (!single_code_point(emoji).has_value()) {
      ++summary.n_skipped_multi_codepoint;
    } else if (!renderer.can_render(emoji)) {
      ++summary.n_skipped_no_glyph;
    } else if (o.limit == 0 || chosen.size() < o.limit) {
      chosen.emplace_back(&emoji, &locales);
    }
  }

  const std::filesystem::path out_dir(o.out_dir);
  make_directories((out_dir / "images").string());

  std::string captions_jsonl;
  std::string index_tsv;
  std::vector<ImageTextExample> train_tsv, heldout_tsv;
  nlohmann::ordered_json split = {{"train", nlohmann::json::array()}, {"heldout", nlohmann::json::array()}};
  std::set<std::string> locales_used;
  for (size_t i = 0; i < chosen.size(); ++i) {
    const std::string& emoji = *chosen[i].first;
    const EmojiLocales& locales = *chosen[i].second;
    const std::string key = emoji_key(emoji);
    const std::string image_path = "images/" + key + ".png";
    write_file_atomically((out_dir / image_path).string(),
                          render::encode_png(renderer.render(emoji, o.image_size_px)));

    // ordered_json keeps "image/key" first, as in Crossmodal-3600's file; locales follow sorted.
    nlohmann::ordered_json line = {{"image/key", key}};
    const bool heldout = is_heldout_key(key, o.heldout_fraction);
    for (const auto& [locale, annotation] : locales) {
      const std::vector<std::string> captions = captions_of(*annotation);
      summary.n_captions += captions.size();
      line[locale] = {{"caption", captions}};
      locales_used.insert(locale);
      for (const std::string& caption : captions) {
        (heldout ? heldout_tsv : train_tsv).push_back(ImageTextExample{"", image_path, "", caption, locale});
      }
    }
    captions_jsonl += line.dump() + "\n";
    index_tsv += image_path + "\t" + index_name(locales) + "\n";
    split[heldout ? "heldout" : "train"].push_back(key);
    ++(heldout ? summary.n_heldout : summary.n_train);
    if (o.on_progress) o.on_progress(i + 1, chosen.size());
  }
  // The listing files last: a reader that finds them finds every image they name.
  write_file_atomically((out_dir / "captions.jsonl").string(), captions_jsonl);
  write_file_atomically((out_dir / "index.tsv").string(), index_tsv);
  write_file_atomically((out_dir / "split.json").string(), split.dump(2) + "\n");
  write_image_text_tsv((out_dir / "train.tsv").string(), train_tsv);
  write_image_text_tsv((out_dir / "heldout.tsv").string(), heldout_tsv);
  summary.n_emoji = chosen.size();
  summary.n_locales = locales_used.size();
  return summary;
}

}  // namespace clippo::datasets
