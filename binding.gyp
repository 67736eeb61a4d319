{
  "targets": [
    {
      "target_name": "vaekit_native",
      "sources": [
        "native/addon.cc",
        "native/gemm.cc",
        "native/conv.cc",
        "native/adam.cc",
        "native/reduce.cc",
        "native/tile.cc",
        "native/elementwise.cc",
        "native/logistic-mixture.cc",
        "native/depthwise.cc",
        "native/norm.cc"
      ],
      "cflags_cc": [
        "-O3",
        "-std=c++17"
      ],
      "cflags_cc!": [
        "-fno-exceptions"
      ],
      "conditions": [
        [
          "OS=='mac'",
          {
            "xcode_settings": {
              "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
              "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
              "GCC_OPTIMIZATION_LEVEL": "3"
            }
          }
        ]
      ]
    }
  ]
}
