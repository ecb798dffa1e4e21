// WebDataset tar shards, as img2dataset writes them: consecutive members sharing a key form one
// sample, `<key>.jpg|jpeg|png|webp` (the image) and `<key>.txt` (the caption, UTF-8), and
// optionally `<key>.json` (metadata, ignored). The key is the member name up to the first dot
// of its base name, webdataset's rule ("a/b.c.jpg" -> key "a/b", extension "c.jpg").
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "datasets/examples.h"
#include "datasets/stream_pipeline.h"

namespace clippo::datasets {

// Images and captions over this size are skipped (a corrupt size field, not a photo).
inline constexpr uint64_t kMaxWebDatasetMemberBytes = uint64_t{64} << 20;

// Expands brace patterns as webdataset (braceexpand) does: "s-{000..002}.tar" ->
// s-000.tar, s-001.tar, s-002.tar (numbers padded to the width of the first bound) and
// "{a,b}.tar" -> a.tar, b.tar; several braces multiply. No braces: the path itself.
// Throws InvalidArgument on an unclosed brace or a descending range.
std::vector<std::string> expand_braces(const std::string& pattern);

// Reads the samples of `files`, in order. Corrupt records are counted, never thrown: a bad
// header checksum or a truncated tar ends that file (its later members are not trusted); a
// sample lacking its image or its caption, a member with another extension, a caption that is
// not UTF-8 or is empty, and a file without any member are each one skip naming file and member.
std::unique_ptr<SourceReader<ImageTextExample>> open_webdataset_reader(std::vector<std::string> files);

// Writes samples into ustar shards "<prefix>-000000.tar", "<prefix>-000001.tar", ..., each of
// `samples_per_shard` samples (the last may hold fewer). A shard is assembled in memory and
// written atomically (write_file_atomically) once full or at finish(), so a reader never sees a
// partial shard; size the shards to fit memory.
class WebDatasetWriter {
 public:
  // Throws InvalidArgument when samples_per_shard is 0. The prefix's folder must exist.
  WebDatasetWriter(std::string prefix, size_t samples_per_shard);

  // `key`: no dot in its base name and not empty (the reader splits at the first dot);
  // `image_extension`: "jpg", "jpeg", "png" or "webp"; `json`: written as <key>.json when not
  // empty. Throws InvalidArgument on a bad key or extension, Unavailable when a write fails.
  void add(const std::string& key, const std::string& image, const std::string& image_extension,
           const std::string& caption, const std::string& json = "");

  // Writes the last, partial shard; returns the paths of all shards written. Samples added
  // without a finish() are not written.
  std::vector<std::string> finish();

 private:
  void flush();

  std::string prefix_;
  size_t samples_per_shard_;
  std::string shard_;  // the tar being assembled
  size_t n_in_shard_ = 0;
  std::vector<std::string> written_;
};

}  // namespace clippo::datasets
