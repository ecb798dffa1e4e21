// What the corpus builder reads: sources of captioned pictures behind one small interface.
//
// A source lists its items cheaply (names, captions, where each picture comes from) and draws
// a picture only when the builder asks, so listing is quick and drawing runs on every core. Each
// source reads one kind of package (an npm Iconify set, a Debian package's folders) and says
// in one line what is missing when its package is not there, so the builder can skip it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/image.h"

namespace clippo::datasets {

// locale ("en", "de", "zh_Hant") -> captions, the name first, then keywords.
using LocaleCaptions = std::map<std::string, std::vector<std::string>>;

struct CorpusItem {
  std::string key;      // unique in the corpus; letters, digits, '-' and '_' only: "openmoji-1f600"
  std::string source;   // the source's name: "openmoji", "openclipart", "art4apps", ...
  std::string concept_id;  // what the picture shows; items of one concept share a split: "emoji:1f600"
  std::string licence;  // SPDX identifier of the picture's licence
  std::string origin;   // the package and file (and icon) it was drawn from
  LocaleCaptions captions;
  // The picture as size_px x size_px RGB over white. Throws (any clippo::Error) when the file
  // is broken; the builder counts that item and goes on. Must be safe to call from any thread.
  std::function<ImageU8(int size_px)> draw;
};

class CorpusSource {
 public:
  virtual ~CorpusSource() = default;
  virtual std::string name() const = 0;
  // "" when the source's files are there; else one line naming the missing package and path.
  virtual std::string missing() const = 0;
  // The items in a fixed order (same files, same list). `notes` receives counts of what was
  // passed over (e.g. "icons without a CLDR name": 12).
  virtual std::vector<CorpusItem> list_items(std::map<std::string, size_t>& notes) const = 0;
};

// emoji key (emoji_key(): code points in hex joined by '_', no U+FE0F) -> its CLDR captions.
using EmojiCaptionTable = std::map<std::string, LocaleCaptions>;

// Every emoji any of the CLDR annotation folders names, with the name first and then its
// keywords (each once), in every locale that names it.
EmojiCaptionTable read_emoji_caption_table(const std::vector<std::string>& cldr_dirs);

// The concept of an emoji key: the key without skin-tone modifiers (U+1F3FB..U+1F3FF), so an
// emoji and its skin tones are held out together. "1f44d_1f3fd" -> "emoji:1f44d".
std::string emoji_concept(const std::string& key);

// Letters and digits of `name`, lower-cased (ASCII), everything else dropped: how Iconify's
// name slugs ("1st-place-medal", "admissiontickets") are matched to CLDR's English names.
std::string name_slug(const std::string& name);

// A relative path as part of a corpus key: letters and digits lower-cased, '-' and '_' kept, '/'
// -> '-', anything else '_' ("animals/Red bird" -> "animals-red_bird").
std::string key_part(const std::string& relative_path);

// Where an npm Iconify emoji set is and how it is licensed (the package's info.json says so).
struct IconifySetSpec {
  std::string name;     // the set's prefix: "openmoji"
  std::string licence;  // SPDX
};
// The Iconify emoji sets the corpus reads, in the order they are drawn and deduplicated.
const std::vector<IconifySetSpec>& iconify_emoji_sets();

// Sources. `npm_dir`: a node_modules folder; `root`: where Debian packages are unpacked ("/"
// when installed, or a folder that holds usr/share/... from `dpkg-deb -x`).
std::unique_ptr<CorpusSource> make_iconify_source(const IconifySetSpec& set, const std::string& npm_dir,
                                                  std::shared_ptr<const EmojiCaptionTable> captions);
std::unique_ptr<CorpusSource> make_iso_flags_source(const std::string& root,
                                                    std::shared_ptr<const EmojiCaptionTable> captions);
std::unique_ptr<CorpusSource> make_openclipart_source(const std::string& root);
std::unique_ptr<CorpusSource> make_art4apps_source(const std::string& root);
std::unique_ptr<CorpusSource> make_sweethome3d_source(const std::string& root);
std::unique_ptr<CorpusSource> make_tuxpaint_stamps_source(const std::string& root);
// `per_class`: the first photos of each class read (all 60,000 would outnumber every other source).
std::unique_ptr<CorpusSource> make_fashion_mnist_source(const std::string& root,
                                                        std::shared_ptr<const EmojiCaptionTable> captions,
                                                        size_t per_class);

}  // namespace clippo::datasets
