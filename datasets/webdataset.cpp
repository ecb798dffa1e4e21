// WebDataset shards: samples assembled from consecutive tar members, and shards written.
#include "datasets/webdataset.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/strings.h"
#include "core/base/utf8.h"
#include "datasets/tar_reader.h"
#include "datasets/tar_writer.h"

namespace clippo::datasets {
namespace {

constexpr size_t kMaxExpandedPaths = 10'000'000;

bool is_image_extension(const std::string& ext) {
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "webp";
}

// "a/b.c.JPG" -> {"a/b", "c.jpg"}: the key ends at the first dot of the base name.
std::pair<std::string, std::string> split_member_name(const std::string& name) {
  const size_t base = name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1;
  const size_t dot = name.find('.', base);
  if (dot == std::string::npos) return {name, ""};
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return {name.substr(0, dot), ext};
}

std::vector<std::string> brace_alternatives(const std::string& body, const std::string& pattern) {
  const size_t dots = body.find("..");
  const auto all_digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (dots != std::string::npos && all_digits(body.substr(0, dots)) && all_digits(body.substr(dots + 2))) {
    const std::string lo_text = body.substr(0, dots);
    const uint64_t lo = std::stoull(lo_text), hi = std::stoull(body.substr(dots + 2));
    CLIPPO_CHECK(lo <= hi && hi - lo < kMaxExpandedPaths, kInvalidArgument,
                 "bad brace range {" + body + "} in '" + pattern + "'");
    std::vector<std::string> out;
    for (uint64_t n = lo; n <= hi; ++n) {
      std::string digits = std::to_string(n);
      if (digits.size() < lo_text.size()) digits.insert(0, lo_text.size() - digits.size(), '0');
      out.push_back(digits);
    }
    return out;
  }
  if (body.find(',') == std::string::npos)
    return {"{" + body + "}"};  // not a pattern: kept, as braceexpand does
  return split_fields(body, ',');
}

// One sample as its members arrive.
struct PendingSample {
  std::string key;
  std::string image;
  std::string caption;
  bool has_image = false, has_caption = false;
  std::string problem;  // why the sample is unusable, when it is
};

class WebDatasetReader final : public SourceReader<ImageTextExample> {
 public:
  explicit WebDatasetReader(std::vector<std::string> files) : files_(std::move(files)) {}

  bool next(ImageTextExample& out, ReadCounts& counts) override {
    for (;;) {
      if (!tar_ && !open_next_file(counts)) return false;
      TarMember member;
      bool more = false, corrupt = false;
      try {
        more = tar_->next(member);
      } catch (const Error& e) {  // a corrupt header: nothing after it can be trusted
        counts.add_skip(std::string(e.what()) + "; rest of the shard skipped");
        corrupt = true;
      }
      if (!more) {
        if (n_members_ == 0 && !corrupt) counts.add_skip(tar_->path() + ": empty shard (no members)");
        tar_.reset();
        if (finish_sample(out, counts)) return true;
        continue;
      }
      ++n_members_;
      const auto [key, ext] = split_member_name(member.name);
      const bool new_sample = key != pending_.key;
      ImageTextExample finished;
      const bool have_finished = new_sample && finish_sample(finished, counts);
      if (new_sample) pending_.key = key;
      add_member(member, ext, counts);
      if (have_finished) {
        out = std::move(finished);
        return true;
      }
    }
  }

 private:
  bool open_next_file(ReadCounts& counts) {
    while (file_index_ < files_.size()) {
      const std::string& path = files_[file_index_++];
      try {
        tar_ = std::make_unique<TarReader>(path);
        n_members_ = 0;
        return true;
      } catch (const Error& e) {  // removed since the stream was opened, or unreadable
        counts.add_skip(e.what());
      }
    }
    return false;
  }

  std::string where(const TarMember& m) const { return tar_->path() + " member '" + m.name + "'"; }

  void add_member(const TarMember& m, const std::string& ext, ReadCounts& counts) {
    const bool image = is_image_extension(ext);
    if (!image && ext != "txt") {
      // Metadata img2dataset writes beside each sample; read by nobody here.
      if (ext != "json") counts.add_skip(where(m) + ": not an image, .txt or .json member");
      return;
    }
    if (image ? pending_.has_image : pending_.has_caption) {
      counts.add_skip(where(m) + ": the sample already has one");
      return;
    }
    if (m.size > kMaxWebDatasetMemberBytes) {
      if (pending_.problem.empty())
        pending_.problem = where(m) + ": " + std::to_string(m.size) + " bytes, over the limit";
      return;
    }
    std::string data;
    try {
      data = tar_->read_data();
    } catch (const Error& e) {
      if (pending_.problem.empty()) pending_.problem = e.what();
      return;
    }
    if (image) {
      pending_.has_image = true;
      pending_.image = std::move(data);
      return;
    }
    pending_.has_caption = true;
    pending_.caption = std::string(trim(data));
    if (!is_valid_utf8(data) && pending_.problem.empty())
      pending_.problem = where(m) + ": caption is not UTF-8";
    if (pending_.caption.empty() && pending_.problem.empty()) pending_.problem = where(m) + ": empty caption";
  }

  // Hands out the pending sample when it is complete, counts it when not; starts a new one.
  bool finish_sample(ImageTextExample& out, ReadCounts& counts) {
    PendingSample s = std::move(pending_);
    pending_ = PendingSample();
    if (s.key.empty() && !s.has_image && !s.has_caption && s.problem.empty())
      return false;  // nothing pending
    const std::string sample = "sample '" + s.key + "'";
    if (!s.problem.empty()) {
      counts.add_skip(s.problem);
    } else if (s.has_image != s.has_caption) {
      counts.add_skip(current_file() + " " + sample +
                      (s.has_image ? ": an image but no .txt" : ": a .txt but no image"));
    } else if (!s.has_image) {
      counts.add_skip(current_file() + " " + sample + ": no image and no .txt");
    } else {
      out = ImageTextExample{s.key, "", std::move(s.image), std::move(s.caption), ""};
      return true;
    }
    return false;
  }

  std::string current_file() const { return files_[file_index_ - 1]; }

  std::vector<std::string> files_;
  size_t file_index_ = 0;
  std::unique_ptr<TarReader> tar_;
  size_t n_members_ = 0;
  PendingSample pending_;
};

}  // namespace

std::vector<std::string> expand_braces(const std::string& pattern) {
  const size_t open = pattern.find('{');
  if (open == std::string::npos) return {pattern};
  const size_t close = pattern.find('}', open);
  CLIPPO_CHECK(close != std::string::npos, kInvalidArgument, "unclosed brace in '" + pattern + "'");
  const std::vector<std::string> heads =
      brace_alternatives(pattern.substr(open + 1, close - open - 1), pattern);
  const std::vector<std::string> tails = expand_braces(pattern.substr(close + 1));
  CLIPPO_CHECK(heads.size() * tails.size() <= kMaxExpandedPaths, kInvalidArgument,
               "'" + pattern + "' expands to too many paths");
  std::vector<std::string> out;
  out.reserve(heads.size() * tails.size());
  for (const std::string& head : heads) {
    for (const std::string& tail : tails) out.push_back(pattern.substr(0, open) + head + tail);
  }
  return out;
}

std::unique_ptr<SourceReader<ImageTextExample>> open_webdataset_reader(std::vector<std::string> files) {
  return std::make_unique<WebDatasetReader>(std::move(files));
}

WebDatasetWriter::WebDatasetWriter(std::string prefix, size_t samples_per_shard)
    : prefix_(std::move(prefix)), samples_per_shard_(samples_per_shard) {
  CLIPPO_CHECK(samples_per_shard_ > 0, kInvalidArgument,
               "webdataset writer: samples per shard must be positive");
}

void WebDatasetWriter::add(const std::string& key, const std::string& image,
                           const std::string& image_extension, const std::string& caption,
                           const std::string& json) {
  const auto [parsed_key, ext] = split_member_name(key + "." + image_extension);
  CLIPPO_CHECK(!key.empty() && parsed_key == key && key.back() != '/', kInvalidArgument,
               "webdataset key '" + key + "' is empty or has a dot in its base name");
  CLIPPO_CHECK(is_image_extension(image_extension), kInvalidArgument,
               "webdataset image extension must be jpg, jpeg, png or webp, got '" + image_extension + "'");
  shard_ += tar_member(key + "." + image_extension, image);
  shard_ += tar_member(key + ".txt", caption);
  if (!json.empty()) shard_ += tar_member(key + ".json", json);
  if (++n_in_shard_ == samples_per_shard_) flush();
}

void WebDatasetWriter::flush() {
  char number[16];
  std::snprintf(number, sizeof(number), "%06zu", written_.size());
  const std::string path = prefix_ + "-" + number + ".tar";
  write_file_atomically(path, shard_ + tar_end());
  written_.push_back(path);
  shard_.clear();
  n_in_shard_ = 0;
}

std::vector<std::string> WebDatasetWriter::finish() {
  if (n_in_shard_ > 0) flush();
  return written_;
}

}  // namespace clippo::datasets
