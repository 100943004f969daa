# Native engine (Node-API addon) for node-gyp: `npx node-gyp rebuild` or `npm run build:native:gyp`.
# CMakeLists.txt builds the same addon with cmake-js (the default, see scripts/build-native.mjs);
# both read their sources from native/sources.txt, and must keep the same defines and flags.
{
  "targets": [
    {
      "target_name": "smaug_native",
      "sources": [
        "<!@(node -e \"require('fs').readFileSync('native/sources.txt','utf8').split(/\\r?\\n/).map(s=>s.trim()).filter(s=>s&&!s.startsWith('#')).forEach(s=>console.log(s))\")"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # NAPI_VERSION must match "binary": {"napi_versions": [8]} in package.json.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      # node's common.gypi turns exceptions off and picks gnu++17; the addon uses C++ exceptions
      # (node-addon-api turns them into JS exceptions) and plain C++17.
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      # -march=native: each machine compiles its own addon, and it halves the simulation time.
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-march=native", "-fvisibility=hidden"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-march=native"]
      }
    }
  ]
}
