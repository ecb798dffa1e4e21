// What the training and evaluation readers hand out: one image/caption or text/text example at a
// time, from a stream that counts what it read and what it had to skip.
//
// The streams never decode images (that is render/'s job in the trainer): an example carries a
// path or the encoded bytes. Corrupt or unusable records are skipped and counted, never fatal,
// so one bad line in a million-line corpus costs one example, and the count says so.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace clippo::datasets {

struct ImageTextExample {
  std::string key;         // unique within its source; the format's own id (see source_spec.h)
  std::string image_path;  // a file to read, or empty when `image` holds the bytes
  std::string image;       // encoded bytes (JPEG/PNG/WebP) when the source holds them (tar)
  std::string caption;     // UTF-8
  std::string language;    // "en", "zh_Hant", ...; "" when the source does not say
};

struct TextPairExample {
  std::string text_a, text_b;          // UTF-8
  std::string language_a, language_b;  // "" when the source does not say
};

// The first reasons are kept, not all: enough to find a problem without letting a corrupt
// corpus fill memory.
inline constexpr size_t kMaxSkipReasons = 20;

struct ReadCounts {                       // what a stream has read so far (over all epochs when repeating)
  size_t n_examples = 0;                  // handed out by next() or passed over by skip()
  size_t n_skipped = 0;                   // corrupt/unusable records skipped
  std::vector<std::string> skip_reasons;  // the first kMaxSkipReasons, each naming file and record

  void add_skip(std::string reason) {
    ++n_skipped;
    if (skip_reasons.size() < kMaxSkipReasons) skip_reasons.push_back(std::move(reason));
  }
};

template <class Example>
class ExampleStream {
 public:
  virtual ~ExampleStream() = default;
  // The next example; false at the end (never, when repeating).
  virtual bool next(Example& out) = 0;
  virtual const ReadCounts& counts() const = 0;
  // Passes over up to n examples exactly as n calls of next() would (so a trainer resumes by
  // re-opening with the same spec and options and skipping what it had consumed); returns how
  // many there were. Cheap: nothing is decoded, records are only read.
  virtual size_t skip(size_t n) {
    Example unused;
    size_t done = 0;
    while (done < n && next(unused)) ++done;
    return done;
  }
};

}  // namespace clippo::datasets
