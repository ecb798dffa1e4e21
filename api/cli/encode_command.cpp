// `clippo encode`: embeddings of texts and images with a model, one input or a batch file.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/engine/encoder.h"
#include "core/base/error.h"
#include "core/base/file_io.h"
#include "core/base/npy_writer.h"
#include "core/base/utf8.h"

namespace clippo::cli {
namespace {

struct EncodeOptions {
  std::string model;
  std::vector<std::string> texts;
  std::vector<std::string> images;
  std::string texts_file;
  std::string images_file;
  std::string output;
  std::string device = "cpu";
  std::string precision = "auto";
  int batch = 32;
  bool json = false;
};

struct Input {
  bool is_text;
  std::string value;  // the text, or the image path
};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream f(path);
  CLIPPO_CHECK(f.good(), kNotFound, "cannot open '" + path + "'");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

int run_encode(const EncodeOptions& o) {
  std::vector<Input> inputs;
  for (const auto& t : o.texts) inputs.push_back({true, t});
  for (const auto& p : o.images) inputs.push_back({false, p});
  if (!o.texts_file.empty()) for (auto& t : read_lines(o.texts_file)) inputs.push_back({true, std::move(t)});
  if (!o.images_file.empty()) for (auto& p : read_lines(o.images_file)) inputs.push_back({false, std::move(p)});
  CLIPPO_CHECK(!inputs.empty(), kInvalidArgument, "nothing to encode: give --text, --image, --texts or --images");

  engine::EncoderOptions options;
  options.embedder.device = o.device;
  options.embedder.precision = o.precision;
  options.embedder.max_batch = o.batch;
  const engine::Encoder encoder(resolve_model_arg(o.model), options);
  const int d = encoder.dim();

  // Inputs are encoded in batches; an unreadable image is reported and skipped, not fatal.
  std::vector<float> embeddings;
  std::vector<std::string> errors(inputs.size());
  std::vector<size_t> encoded_rows;
  int n_failed = 0;
  for (size_t start = 0; start < inputs.size(); start += static_cast<size_t>(o.batch)) {
    const size_t end = std::min(inputs.size(), start + static_cast<size_t>(o.batch));
    // Pixels for images and rendered text; a token model's texts go through its tokenizer.
    std::vector<ImageU8> pixels;
    std::vector<std::string> token_texts;
    std::vector<size_t> rows;
    std::vector<bool> row_is_tokens;
    for (size_t i = start; i < end; ++i) {
      try {
        if (inputs[i].is_text && encoder.reads_tokens()) {
          token_texts.push_back(inputs[i].value);
        } else {
          pixels.push_back(inputs[i].is_text ? encoder.render_text(inputs[i].value)
                                             : encoder.preprocess_image(read_file(inputs[i].value, size_t{1} << 30)));
        }
        rows.push_back(i);
        row_is_tokens.push_back(inputs[i].is_text && encoder.reads_tokens());
      } catch (const Error& e) {
        errors[i] = e.what();
        ++n_failed;
        std::cerr << "warning: skipping '" << inputs[i].value << "': " << e.what() << "\n";
      }
    }
    const std::vector<float> z_pixels = pixels.empty() ? std::vector<float>{} : encoder.encode_pixels(pixels);
    const std::vector<float> z_tokens = token_texts.empty() ? std::vector<float>{} : encoder.encode_texts(token_texts);
    size_t next_pixel = 0, next_tokens = 0;
    for (size_t r = 0; r < rows.size(); ++r) {  // back in input order
      const size_t dim = static_cast<size_t>(d);
      const float* z = row_is_tokens[r] ? &z_tokens[next_tokens++ * dim] : &z_pixels[next_pixel++ * dim];
      embeddings.insert(embeddings.end(), z, z + d);
    }
    encoded_rows.insert(encoded_rows.end(), rows.begin(), rows.end());
  }

  if (!o.output.empty()) {
    write_npy(o.output, "<f4", {static_cast<int64_t>(encoded_rows.size()), d}, embeddings.data(),
              embeddings.size() * sizeof(float));
  }
  const bool single = inputs.size() == 1;
  for (size_t r = 0, k = 0; r < inputs.size(); ++r) {
    const bool ok = errors[r].empty();
    if (o.json) {
      nlohmann::json line{{"input", sanitize_utf8(inputs[r].value)}, {"kind", inputs[r].is_text ? "text" : "image"}};
      if (ok) {
        line["dim"] = d;
        if (o.output.empty()) {
          line["embedding"] = std::vector<float>(embeddings.begin() + static_cast<long>(k * d),
                                                 embeddings.begin() + static_cast<long>((k + 1) * d));
        } else {
          line["row"] = k;
        }
      } else {
        line["error"] = errors[r];
      }
      if (single) line["model"] = encoder.embedder().path();
      std::cout << line.dump() << "\n";
    } else if (ok && o.output.empty()) {
      for (int j = 0; j < d; ++j) std::cout << (j ? " " : "") << embeddings[k * d + j];
      std::cout << "\n";
    }
    if (ok) ++k;
  }
  if (!o.json && !o.output.empty()) {
    std::cerr << "encoded " << encoded_rows.size() << " of " << inputs.size() << " inputs into " << o.output << " ("
              << encoded_rows.size() << " x " << d << " float32)\n";
  }
  return n_failed == 0 ? 0 : 1;
}

}  // namespace

CommandAction add_encode_command(CLI::App& app) {
  auto o = std::make_shared<EncodeOptions>();
  CLI::App* cmd = app.add_subcommand("encode", "Embed texts and images with a CLIPPO model");
  cmd->footer(
      "Examples:\n"
      "  clippo encode --model models/default.npz --text \"a cat\" --json\n"
      "  clippo encode --model m.npz --images paths.txt -o embeddings.npy");
  cmd->add_option("--model", o->model, "Model: a .npz (ours or big_vision's), a known name or a URL")
      ->required();
  cmd->add_option("--text", o->texts, "A text to embed (repeatable)");
  cmd->add_option("--image", o->images, "An image file to embed (repeatable)");
  cmd->add_option("--texts", o->texts_file, "A file with one text per line");
  cmd->add_option("--images", o->images_file, "A file with one image path per line");
  cmd->add_option("-o,--output", o->output, "Write all embeddings as an n x d float32 .npy");
  cmd->add_option("--device", o->device, "cpu, cuda, cuda:N or auto");
  cmd->add_option("--precision", o->precision, "fp32, bf16, fp16 (CUDA) or auto")
      ->check(CLI::IsMember({"auto", "fp32", "bf16", "fp16"}));
  cmd->add_option("--batch", o->batch, "Inputs per forward pass")->check(CLI::Range(1, 4096));
  cmd->add_flag("--json", o->json, "One JSON object per input: {\"embedding\": [...], \"dim\": d, ...}");
  return [cmd, o]() -> int { return cmd->parsed() ? run_encode(*o) : -1; };
}

}  // namespace clippo::cli
