# The layers of docs/ARCHITECTURE.md, checked at configure time: a library may link, and a
# folder's sources may include, only what sits on a lower layer (or in the same folder), and
# LibTorch stays inside core/model and core/train. Breaking a rule fails the configure with the
# file and line, so a dependency in the wrong direction never reaches a build.
#
#   6  api/cli
#   5  api/http
#   4  core/train, api/engine
#   3  evaluation, model_hub
#   2  core/model (LibTorch), datasets, tokenizer_baselines
#   1  render, index, the model file readers (clippo_model_files)
#   0  core/base

set(CLIPPO_FOLDER_LAYERS
  core/base=0 render=1 index=1 core/model=2 datasets=2 tokenizer_baselines=2 evaluation=3
  model_hub=3 core/train=4 api/engine=4 api/http=5 api/cli=6)
set(CLIPPO_LIBRARY_LAYERS
  clippo_base=0 clippo_render=1 clippo_index=1 clippo_model_files=1 clippo_model=2 clippo_datasets=2
  clippo_tokenizer_baselines=2 clippo_evaluation=3 clippo_model_hub=3 clippo_train=4 clippo_engine=4 clippo_http=5 clippo_cli=6)
set(CLIPPO_TORCH_FOLDERS core/model core/train)
set(CLIPPO_TORCH_LIBRARIES clippo_model clippo_train)

# The layered folder that holds `path` (a path relative to the repository root), or "".
function(clippo_folder_of path out)
  set(best "")
  foreach(entry IN LISTS CLIPPO_FOLDER_LAYERS)
    string(REPLACE "=" ";" kv "${entry}")
    list(GET kv 0 folder)
    string(LENGTH "${folder}" n)
    string(LENGTH "${best}" best_n)
    if(("${path}" STREQUAL "${folder}" OR "${path}" MATCHES "^${folder}/") AND n GREATER best_n)
      set(best "${folder}")
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

function(clippo_layer_of_folder folder out)
  foreach(entry IN LISTS CLIPPO_FOLDER_LAYERS)
    string(REPLACE "=" ";" kv "${entry}")
    list(GET kv 0 f)
    list(GET kv 1 layer)
    if(f STREQUAL folder)
      set(${out} ${layer} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "" PARENT_SCOPE)
endfunction()

# Every #include "folder/..." in every layered folder under `root` points down (or sideways within
# the folder); <torch/...>, <ATen/...> and <c10/...> appear only in the LibTorch folders.
function(clippo_check_include_layering root)
  set(problems "")
  foreach(entry IN LISTS CLIPPO_FOLDER_LAYERS)
    string(REPLACE "=" ";" kv "${entry}")
    list(GET kv 0 folder)
    list(GET kv 1 layer)
    file(GLOB_RECURSE sources "${root}/${folder}/*.h" "${root}/${folder}/*.cpp")
    foreach(source IN LISTS sources)
      file(RELATIVE_PATH rel "${root}" "${source}")
      clippo_folder_of("${rel}" owner)
      if(NOT owner STREQUAL folder)
        continue()  # a deeper layered folder (api/engine under api) checks its own files
      endif()
      file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
      foreach(line IN LISTS includes)
        if(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
          set(header "${CMAKE_MATCH_1}")
          get_filename_component(header_dir "${header}" DIRECTORY)
          clippo_folder_of("${header_dir}" target)
          if(target STREQUAL "" OR target STREQUAL folder)
            continue()
          endif()
          clippo_layer_of_folder("${target}" target_layer)
          if(NOT target_layer LESS layer)
            list(APPEND problems "${rel}: includes ${header}: ${folder} (layer ${layer}) may not depend on ${target} (layer ${target_layer})")
          endif()
        elseif(line MATCHES "#[ \t]*include[ \t]*<(torch|ATen|c10)/")
          list(FIND CLIPPO_TORCH_FOLDERS "${folder}" allowed)
          if(allowed EQUAL -1)
            list(APPEND problems "${rel}: includes LibTorch (${line}), but LibTorch stays inside core/model and core/train")
          endif()
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "dependency layering broken (cmake/Layering.cmake, docs/ARCHITECTURE.md):\n  ${text}")
  endif()
endfunction()

# Every library registered with clippo_library() has a layer and links only lower layers;
# LibTorch is linked only by the LibTorch libraries. Call after every folder is added.
function(clippo_check_link_layering)
  get_property(libraries GLOBAL PROPERTY CLIPPO_LIBRARIES)
  foreach(entry IN LISTS CLIPPO_LIBRARY_LAYERS)
    string(REPLACE "=" ";" kv "${entry}")
    list(GET kv 0 lib)
    list(GET kv 1 layer)
    set(layer_of_${lib} ${layer})
  endforeach()
  set(problems "")
  foreach(lib IN LISTS libraries)
    if(NOT DEFINED layer_of_${lib})
      list(APPEND problems "${lib} has no layer: add it to CLIPPO_LIBRARY_LAYERS")
      continue()
    endif()
    get_target_property(deps ${lib} LINK_LIBRARIES)
    foreach(dep IN LISTS deps)
      if(DEFINED layer_of_${dep} AND NOT layer_of_${dep} LESS layer_of_${lib})
        list(APPEND problems "${lib} (layer ${layer_of_${lib}}) links ${dep} (layer ${layer_of_${dep}})")
      endif()
      if(dep MATCHES "torch" AND NOT lib IN_LIST CLIPPO_TORCH_LIBRARIES)
        list(APPEND problems "${lib} links LibTorch (${dep}); only ${CLIPPO_TORCH_LIBRARIES} may")
      endif()
    endforeach()
  endforeach()
  if(problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "library layering broken (cmake/Layering.cmake):\n  ${text}")
  endif()
endfunction()
