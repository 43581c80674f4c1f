{
  "targets": [
    {
      "target_name": "reelforge_compose",
      "sources": ["native/compose.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-fast-math"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-ffp-contract=off"] }
    },
    {
      "target_name": "reelforge_grade",
      "sources": ["native/grade.c"],
      "cflags": ["-O3"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
