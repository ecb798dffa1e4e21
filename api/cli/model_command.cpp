// `clippo model`: inspect, create, convert, import and fetch model files.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/engine/encoder.h"
#include "core/base/error.h"
#include "core/model/model_file.h"
#include "core/base/file_io.h"
#include "core/model/model_tools.h"
#include "model_hub/known_models.h"
#include "model_hub/model_fetch.h"
#include "render/renderer_spec.h"
#include "tokenizer_baselines/sentencepiece_tokenizer.h"

namespace clippo::cli {
namespace {

DType parse_dtype(const std::string& name) {
  if (name == "float32") return DType::kFloat32;
  if (name == "float16") return DType::kFloat16;
  if (name == "bfloat16") return DType::kBFloat16;
  throw Error(ErrorCode::kInvalidArgument, "unknown dtype '" + name + "' (float32, float16, bfloat16)");
}

struct ModelOptions {
  std::string input;
  std::string output;
  bool json = false;
  std::string variant = "Ti/16";
  int image_size = 0;  // 0: from the model file (info, convert, import); init uses 224
  int out_dim = -1;  // -1: the variant's width
  std::string pool = "map";
  std::string kind = "clippo";  // init: or a token baseline, 1t-clip / clip*
  std::string tokenizer;
  int seq_len = 196;
  std::string renderer = "unifont";
  uint64_t seed = 0;
  std::string dtype = "float32";
  std::string layout = "keep";
  bool list = false;  // fetch: list the known names
};

int run_info(const ModelOptions& o) {
  const model::ModelFile f = model::read_model_file(resolve_model_arg(o.input), o.image_size);
  int64_t n_params = model::count_parameters(f.config) + (f.temperature_key.empty() ? 0 : 1);
  for (const auto& [name, shape] : model::expected_text_param_shapes(f.text, f.config.width)) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    n_params += n;
  }
  const auto renderer = engine::renderer_spec_for(f.meta, f.config.image_size);
  nlohmann::json info{{"path", f.path},
                      {"format", f.meta.is_null() ? "big_vision" : "clippo"},
                      {"kind", model::model_kind_name(f.text.kind)},
                      {"architecture", model::to_json(f.config)},
                      {"text", f.text.reads_tokens() ? model::to_json(f.text) : nlohmann::json(nullptr)},
                      {"embedding_dim", f.config.embedding_dim()},
                      {"n_parameters", n_params},
                      {"dtype", dtype_name(f.stored_dtype)},
                      {"layout", f.config.scan ? "scanned" : "per-block"},
                      {"temperature", f.temperature_key.empty() ? nlohmann::json(nullptr)
                                                                : nlohmann::json(std::exp(f.arrays.at(f.temperature_key).to_float32()[0]))},
                      {"renderer", render::to_json(renderer)},
                      {"content_hash", f.content_hash},
                      {"meta", f.meta}};
  if (o.json) {
    std::cout << info.dump(2) << "\n";
    return 0;
  }
  const auto& c = f.config;
  std::cout << "model        " << f.path << " (" << info["format"].get<std::string>() << ", "
            << dtype_name(f.stored_dtype) << ", " << info["layout"].get<std::string>() << ")\n"
            << "architecture ViT width " << c.width << ", depth " << c.depth << ", heads " << c.num_heads << ", mlp "
            << c.mlp_dim << ", patch " << c.patch_size << ", image " << c.image_size << ", posemb " << c.posemb
            << ", pool " << c.pool_type << ", out_dim " << c.out_dim << (c.rep_size ? ", rep_size " + std::to_string(c.rep_size) : "")
            << "\n"
            << (f.text.reads_tokens()
                    ? "text         " + std::string(model::model_kind_name(f.text.kind)) + ": SentencePiece, " +
                          std::to_string(f.text.vocab_size) + " pieces, " + std::to_string(f.text.seq_len) +
                          " ids per text" +
                          (f.text.kind == model::ModelKind::kTwoTowers
                               ? ", text tower width " + std::to_string(f.text.tower.width) + ", depth " +
                                     std::to_string(f.text.tower.depth) + ", pool " + f.text.tower.pool_type
                               : std::string(", through the image tower")) +
                          "\n"
                    : std::string())
            << "parameters   " << n_params << " (" << static_cast<double>(n_params) / 1e6 << " M)\n"
            << "embedding    " << c.embedding_dim() << " dims\n"
            << (f.text.reads_tokens() ? std::string()
                                      : "renderer     " + renderer.kind + " (" +
                                            render::lower_case_name(renderer.lower) + " lower-casing)\n")
            << "identity     " << f.content_hash << "\n";
  return 0;
}

nlohmann::json renderer_meta(const std::string& kind, int image_size) {
  render::RendererSpec spec;
  spec.kind = kind;
  spec.image_size = image_size;
  if (kind == "shaped") spec.lower = render::LowerCase::kUnicode;
  return render::to_json(spec);
}

int run_init(const ModelOptions& o) {
  model::ViTConfig c = model::vit_variant(o.variant);
  c.image_size = o.image_size > 0 ? o.image_size : 224;
  c.pool_type = o.pool;
  c.out_dim = o.out_dim >= 0 ? o.out_dim : c.width;
  c.validate();
  const nlohmann::json meta{{"renderer", renderer_meta(o.renderer, c.image_size)},
                            {"created_by", "clippo model init"},
                            {"variant", o.variant},
                            {"seed", o.seed}};
  model::TextInput text;
  text.kind = model::parse_model_kind(o.kind);
  if (text.reads_tokens()) {
    CLIPPO_CHECK(!o.tokenizer.empty(), kInvalidArgument, "a " + o.kind + " model needs --tokenizer (a SentencePiece .model)");
    text.vocab_size = static_cast<int>(tokenizer_baselines::SentencePieceTokenizer::load(o.tokenizer)->vocab_size());
    text.seq_len = o.seq_len;
    text.tokenizer_model = read_file(o.tokenizer);
    if (text.kind == model::ModelKind::kTwoTowers) text.tower = model::text_tower_like(c, o.seq_len);
  } else {
    CLIPPO_CHECK(o.tokenizer.empty(), kInvalidArgument, "--tokenizer is for token models (--kind 1t-clip or clip*)");
  }
  model::init_model_file(o.output, c, meta, o.seed, parse_dtype(o.dtype), text);
  std::cerr << "wrote random " << o.variant << " " << o.kind << " model to " << o.output << "\n";
  return 0;
}

int run_convert(const ModelOptions& o, bool import) {
  model::ConvertOptions options;
  options.dtype = parse_dtype(o.dtype);
  options.scan = o.layout == "keep" ? -1 : (o.layout == "scanned" ? 1 : 0);
  options.image_size = o.image_size;
  if (import) {
    options.meta_patch = [&](const model::ModelFile& f) {
      return nlohmann::json{{"renderer", renderer_meta(o.renderer, f.config.image_size)},
                            {"imported_from", o.input},
                            {"source_content_hash", f.content_hash}};
    };
  }
  model::convert_model_file(resolve_model_arg(o.input), o.output, options);
  std::cerr << (import ? "imported " : "converted ") << o.input << " -> " << o.output << " (" << o.dtype << ")\n";
  return 0;
}

int run_fetch(const ModelOptions& o) {
  if (o.list) {
    nlohmann::json list = nlohmann::json::array();
    const std::string cache = model_hub::model_cache_dir();
    for (const model_hub::KnownModel& m : model_hub::known_models()) {
      const std::string cached = (std::filesystem::path(cache) / (m.name + ".npz")).string();
      const bool here = std::filesystem::is_regular_file(cached);
      list.push_back({{"name", m.name}, {"variant", m.variant}, {"description", m.description},
                      {"url", model_hub::known_model_url(m)}, {"cached", here ? nlohmann::json(cached) : nlohmann::json(nullptr)}});
      if (!o.json) std::cout << m.name << "  ViT-" << m.variant << "  " << m.description << (here ? "  (cached)" : "") << "\n";
    }
    if (o.json) std::cout << list.dump(2) << "\n";
    return 0;
  }
  CLIPPO_CHECK(!o.input.empty(), kInvalidArgument, "name a model to fetch (clippo model fetch --list shows the known ones)");
  const std::string path = model_hub::fetch_model(o.input, o.output, fetch_options_for_terminal());
  if (o.json) {
    std::cout << nlohmann::json{{"model", o.input}, {"path", path}}.dump() << "\n";
  } else {
    std::cout << path << "\n";
  }
  return 0;
}

}  // namespace

CommandAction add_model_command(CLI::App& app) {
  auto o = std::make_shared<ModelOptions>();
  CLI::App* cmd = app.add_subcommand("model", "Inspect, create, convert, import and fetch model files");
  cmd->require_subcommand(1);

  CLI::App* info = cmd->add_subcommand("info", "Print a model's architecture, parameter count, renderer and meta");
  info->add_option("file", o->input, "Model file (.npz), known name or URL")->required();
  info->add_option("--image-size", o->image_size, "Image size for sincos2d checkpoints without meta");
  info->add_flag("--json", o->json, "Print JSON");

  CLI::App* init = cmd->add_subcommand("init", "Write a randomly initialised model");
  init->add_option("--variant", o->variant, "ViT variant: mu, Ti, S, M, B, L, H with /patch, e.g. Ti/16");
  init->add_option("--image-size", o->image_size, "Input image size (default 224)")->check(CLI::Range(16, 4096));
  init->add_option("--out-dim", o->out_dim, "Embedding size of the head (0: no head; default: width)")
      ->check(CLI::Range(0, 65536));
  init->add_option("--pool", o->pool, "Pooling: map, gap, tok")->check(CLI::IsMember({"map", "gap", "tok"}));
  init->add_option("--renderer", o->renderer, "Text renderer: unifont or shaped")
      ->check(CLI::IsMember({"unifont", "shaped"}));
  init->add_option("--kind", o->kind, "clippo, or a token baseline: 1t-clip, clip*")
      ->check(CLI::IsMember({"clippo", "1t-clip", "clip*"}));
  init->add_option("--tokenizer", o->tokenizer, "SentencePiece .model a token baseline reads ids with");
  init->add_option("--seq-len", o->seq_len, "Token ids per text for a token baseline (default 196)")
      ->check(CLI::Range(1, 65536));
  init->add_option("--seed", o->seed, "Random seed");
  init->add_option("--dtype", o->dtype, "float32, float16 or bfloat16");
  init->add_option("-o,--output", o->output, "Model file to write")->required();

  CLI::App* convert = cmd->add_subcommand("convert", "Rewrite a model in another dtype or block layout");
  CLI::App* import = cmd->add_subcommand("import", "Import a big_vision checkpoint, recording its renderer");
  for (CLI::App* sub : {convert, import}) {
    sub->add_option("file", o->input, "Input model (.npz)")->required();
    sub->add_option("-o,--output", o->output, "Output model (.npz)")->required();
    sub->add_option("--dtype", o->dtype, "float32, float16 or bfloat16");
    sub->add_option("--layout", o->layout, "keep, per-block or scanned")
        ->check(CLI::IsMember({"keep", "per-block", "scanned"}));
    sub->add_option("--image-size", o->image_size, "Image size for sincos2d checkpoints without meta");
  }
  import->add_option("--renderer", o->renderer, "The renderer the checkpoint was trained with")
      ->check(CLI::IsMember({"unifont", "shaped"}));

  CLI::App* fetch = cmd->add_subcommand(
      "fetch", "Download a published CLIPPO checkpoint by name, or a model by URL, into the cache (resumable)");
  fetch->add_option("model", o->input, "A known name (see --list) or an http(s) URL");
  fetch->add_option("-o,--output", o->output, "Where to put it (default: $CLIPPO_CACHE or ~/.cache/clippo, models/)");
  fetch->add_flag("--list", o->list, "List the known names and which are cached");
  fetch->add_flag("--json", o->json, "Print JSON");
  fetch->footer(
      "Every --model option also takes a known name or a URL and fetches it on first use.\n"
      "Examples:\n"
      "  clippo model fetch clippo_b16_yfcc100m_i21k_init_25c4\n"
      "  clippo serve --store s --model clippo_b16_yfcc100m   # any --model: a file, a name or a URL");

  return [cmd, info, init, convert, import, fetch, o]() -> int {
    if (!cmd->parsed()) return -1;
    if (fetch->parsed()) return run_fetch(*o);
    if (info->parsed()) return run_info(*o);
    if (init->parsed()) return run_init(*o);
    if (convert->parsed()) return run_convert(*o, false);
    return run_convert(*o, true);
  };
}

}  // namespace clippo::cli
