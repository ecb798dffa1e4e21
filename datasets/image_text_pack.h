// `clippo dataset pack`: an image/text TSV and its pictures, re-encoded as JPEG into one folder,
// so that a training corpus travels small (to a lent GPU machine, say) and reads back through
// the same "tsv" source. The examples, their order, captions and languages are unchanged.
#pragma once

#include <cstddef>
#include <string>

namespace clippo::datasets {

struct PackOptions {
  std::string tsv;      // an image/text TSV (tsv_format.h)
  std::string out_dir;  // receives <tsv's file name> and images/*.jpg
  int quality = 90;     // JPEG quality, 1-100
  bool full_chroma = false;  // 4:4:4 instead of 4:2:0 (render/jpeg_encoder.h)
  int jobs = 1;         // encoding threads
};

struct PackSummary {
  size_t examples = 0;        // lines written
  size_t images = 0;          // distinct pictures encoded
  size_t skipped = 0;         // lines the TSV reader skipped (bad line, missing file)
  size_t unreadable = 0;      // pictures that could not be decoded: their lines are left out
  size_t input_bytes = 0;     // the distinct pictures as they were
  size_t output_bytes = 0;    // as JPEG
  std::string out_tsv;
};

// Each distinct picture becomes images/<its file stem>.jpg (a stem that repeats gets -2, -3...).
// A rerun re-encodes everything. Throws InvalidArgument for bad options, Unavailable when
// writing fails.
PackSummary pack_image_text_tsv(const PackOptions& options);

}  // namespace clippo::datasets
