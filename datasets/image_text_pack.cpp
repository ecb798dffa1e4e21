#include "datasets/image_text_pack.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_io.h"
#include "datasets/tsv_format.h"
#include "render/image_decoder.h"
#include "render/jpeg_encoder.h"

namespace clippo::datasets {
namespace {

namespace fs = std::filesystem;

struct Picture {
  std::string source;  // the path as the reader resolved it
  std::string name;    // images/<stem>.jpg
  bool ok = false;
  size_t input_bytes = 0, output_bytes = 0;
};

}  // namespace

PackSummary pack_image_text_tsv(const PackOptions& o) {
  CLIPPO_CHECK(!o.tsv.empty() && !o.out_dir.empty(), kInvalidArgument, "pack: --tsv and --out are required");
  CLIPPO_CHECK(o.quality >= 1 && o.quality <= 100, kInvalidArgument, "pack: quality must be 1-100");
  CLIPPO_CHECK(o.jobs >= 1, kInvalidArgument, "pack: jobs must be >= 1");
  SourceSpec spec;
  spec.format = "tsv";
  spec.paths = {o.tsv};
  auto reader = open_image_text_tsv_reader(spec);
  std::vector<ImageTextExample> examples;
  std::vector<size_t> picture_of;  // per example: its index in `pictures`
  std::vector<Picture> pictures;
  std::map<std::string, size_t> index_of_source;
  std::map<std::string, int> stem_uses;
  ReadCounts counts;
  ImageTextExample e;
  while (reader->next(e, counts)) {
    auto [it, inserted] = index_of_source.try_emplace(e.image_path, pictures.size());
    if (inserted) {
      const std::string stem = fs::path(e.image_path).stem().string();
      const int n = ++stem_uses[stem];
      Picture p;
      p.source = e.image_path;
      p.name = "images/" + stem + (n > 1 ? "-" + std::to_string(n) : "") + ".jpg";
      pictures.push_back(std::move(p));
    }
    picture_of.push_back(it->second);
    examples.push_back(std::move(e));
    e = {};
  }

  make_directories((fs::path(o.out_dir) / "images").string());
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::string first_error;
  auto work = [&] {
    for (size_t i = next++; i < pictures.size(); i = next++) {
      Picture& p = pictures[i];
      std::string jpeg;
      try {
        const std::string bytes = read_file(p.source);
        p.input_bytes = bytes.size();
        jpeg = render::encode_jpeg(render::decode_image(bytes), o.quality, o.full_chroma);
      } catch (const Error&) {
        continue;  // an unreadable picture is counted and its lines left out, as training would mask it
      }
      try {
        write_file_atomically((fs::path(o.out_dir) / p.name).string(), jpeg);
        p.output_bytes = jpeg.size();
        p.ok = true;
      } catch (const Error& err) {  // a write that failed (a full disk): the whole pack fails
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.empty()) first_error = err.what();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < o.jobs; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (!first_error.empty()) throw Error(ErrorCode::kUnavailable, "pack: " + first_error);

  PackSummary s;
  s.skipped = counts.n_skipped;
  std::vector<ImageTextExample> out;
  for (size_t i = 0; i < examples.size(); ++i) {
    const Picture& p = pictures[picture_of[i]];
    if (!p.ok) continue;
    ImageTextExample x = examples[i];
    x.image_path = p.name;
    out.push_back(std::move(x));
  }
  for (const Picture& p : pictures) {
    if (!p.ok) {
      ++s.unreadable;
      continue;
    }
    ++s.images;
    s.input_bytes += p.input_bytes;
    s.output_bytes += p.output_bytes;
  }
  s.examples = out.size();
  s.out_tsv = (fs::path(o.out_dir) / fs::path(o.tsv).filename()).string();
  write_image_text_tsv(s.out_tsv, out);
  return s;
}

}  // namespace clippo::datasets
