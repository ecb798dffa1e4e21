// `clippo search`: a store searched from the terminal, by text or by an image file, with the
// ranking /v1/search gives (both call SearchEngine; --json prints the same JSON).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/model_arg.h"
#include "api/engine/search_engine.h"
#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::cli {
namespace {

struct SearchOptions {
  std::string store, model, query, image, device = "cpu";
  std::vector<std::string> kinds;  // empty: images and texts
  int k = 10;
  bool json = false;
};

int run_search(const SearchOptions& o) {
  CLIPPO_CHECK(o.query.empty() != o.image.empty(), kInvalidArgument, "give a text query or --image FILE, not both");
  engine::check_k(o.k);
  engine::EngineOptions eo;
  eo.encoder.embedder.device = o.device;
  eo.window_us = 0;  // one query: nothing to wait for
  const std::string model =
      o.model.empty() ? index::CollectionStore::recorded_model(o.store).path : resolve_model_arg(o.model);
  index::KindMask kinds = o.kinds.empty() ? index::kAllKinds : 0;
  for (const std::string& name : o.kinds) kinds |= index::kind_bit(index::parse_item_kind(name));
  const engine::SearchEngine engine(model, o.store, eo);
  const engine::SearchResponse r = o.query.empty()
                                       ? engine.search_image(read_file(o.image, size_t{64} << 20), o.k, kinds)
                                       : engine.search_text(o.query, o.k, kinds);
  if (o.json) {
    std::cout << engine::search_response_to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  for (size_t i = 0; i < r.results.size(); ++i) {
    const engine::SearchResult& hit = r.results[i];
    const index::Item& item = hit.item;
    // Image hits: caption and file; text hits: the text and its language.
    const bool text = item.kind == index::ItemKind::kText;
    const std::string& what = text ? item.text : item.caption;
    const std::string& where = text ? item.lang : item.uri;
    std::printf("%3zu  %.4f  %6lld  %-5s  %s  %s\n", i + 1, static_cast<double>(hit.score),
                static_cast<long long>(hit.id), index::item_kind_name(item.kind), what.empty() ? "-" : what.c_str(),
                where.empty() ? "-" : where.c_str());
  }
  std::fprintf(stderr, "%zu results in %.1f ms (render %.1f, encode %.1f, search %.1f)\n", r.results.size(),
               r.took.total_ms, r.took.render_ms, r.took.encode_ms, r.took.search_ms);
  return 0;
}

}  // namespace

CommandAction add_search_command(CLI::App& app) {
  auto o = std::make_shared<SearchOptions>();
  CLI::App* cmd = app.add_subcommand("search", "Search a store by text (any language) or by an image, from the terminal");
  cmd->add_option("query", o->query, "Text query");
  cmd->add_option("--store", o->store, "Store folder (clippo index build)")->required();
  cmd->add_option("--image", o->image, "Search by this image file instead of text");
  cmd->add_option("-k", o->k, "Results (1 to 1000)");
  cmd->add_option("--kinds", o->kinds, "Which items to return: image, text or image,text (default: both)")
      ->delimiter(',')
      ->check(CLI::IsMember({"image", "text"}));
  cmd->add_option("--model", o->model, "Model: a .npz, a known name or a URL (default: the store's)");
  cmd->add_option("--device", o->device, "cpu, cuda or auto");
  cmd->add_flag("--json", o->json, "Print /v1/search's JSON");
  cmd->footer(
      "Prints rank, score, id, kind, then caption and file (images) or text and language (texts)\n"
      "per result; the timings go to stderr.\n"
      "Examples:\n"
      "  clippo search --store data/emoji.store \"a red heart\"\n"
      "  clippo search --store data/emoji.store \"قلب أحمر\" -k 5 --json\n"
      "  clippo search --store data/emoji.store --image photo.jpg --kinds text");
  return [cmd, o]() -> int {
    if (!cmd->parsed()) return -1;
    return run_search(*o);
  };
}

}  // namespace clippo::cli
