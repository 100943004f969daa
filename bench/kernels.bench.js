import Benchmark from "benchmark";
import { conv2dNHWC, convOutputSize, depthwiseConv2dNHWC, samePadding } from "../dist/kernels/conv.js";
import { gemmABt } from "../dist/kernels/gemm.js";
import { machine, quick, writeJson } from "./common.js";

/** Seeded uniform [-0.5, 0.5) values, so every run times the same numbers. */
function filled(size, seed) {
  const a = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  return a;
}

/**
 * A square NHWC layer: `h` x `h` x `c` in, `o` out (= c for depthwise), `k` x `k` kernel,
 * stride `s`, SAME padding unless `pad` ([before, after], both spatial dimensions) is given.
 */
function layer({ h, c, o, k, s = 1, dw = false, pad }, seed) {
  const [before, after] = pad ?? samePadding(h, k, s);
  const g = {
    ...{ n: 1, h, w: h, c, kh: k, kw: k, strideH: s, strideW: s },
    ...{ padTop: before, padBottom: after, padLeft: before, padRight: after },
  };
  const { outH, outW } = convOutputSize(g);
  const outC = dw ? c : o;
  const x = filled(h * h * c, seed);
  const weights = filled(dw ? c * k * k : o * k * k * c, seed + 1);
  const bias = filled(outC, seed + 2);
  const out = new Float32Array(outH * outW * outC);
  const run = dw ? () => depthwiseConv2dNHWC(x, weights, bias, g, out) : () => conv2dNHWC(x, weights, bias, o, g, out);
  return { run, macs: outH * outW * outC * k * k * (dw ? 1 : c) };
}

/** A fully connected layer on one sample: [1 x k] * [n x k]^T. */
function fc(k, n, seed) {
  const x = filled(k, seed);
  const w = filled(n * k, seed + 1);
  const bias = filled(n, seed + 2);
  const out = new Float32Array(n);
  return { run: () => gemmABt(x, w, bias, 1, n, k, out), macs: n * k };
}

// ResNet-50 v1.5 (stride on the 3x3 of each bottleneck), 224x224: the stem, 16 bottlenecks and the FC.
function resnet50() {
  const specs = [{ h: 224, c: 3, o: 64, k: 7, s: 2, pad: [3, 3] }];
  const stages = [
    [56, 64, 64, 256, 3, 1],
    [56, 256, 128, 512, 4, 2],
    [28, 512, 256, 1024, 6, 2],
    [14, 1024, 512, 2048, 3, 2],
  ];
  for (const [h, inC, mid, outC, blocks, stride] of stages) {
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride : 1;
      const hin = b === 0 ? h : h / stride;
      const cin = b === 0 ? inC : outC;
      specs.push(
        { h: hin, c: cin, o: mid, k: 1 },
        { h: hin, c: mid, o: mid, k: 3, s },
        { h: hin / s, c: mid, o: outC, k: 1 },
      );
      if (b === 0) specs.push({ h: hin, c: cin, o: outC, k: 1, s });
    }
  }
  return [...specs.map((spec, i) => layer(spec, 1000 + 10 * i)), fc(2048, 1000, 9000)];
}

// MobileNet-v1 1.0, 224x224: the stem, 13 depthwise-separable blocks and the FC.
function mobilenetV1() {
  const specs = [{ h: 224, c: 3, o: 32, k: 3, s: 2 }];
  const blocks = [
    [32, 64, 1],
    [64, 128, 2],
    [128, 128, 1],
    [128, 256, 2],
    [256, 256, 1],
    [256, 512, 2],
    [512, 512, 1],
    [512, 512, 1],
    [512, 512, 1],
    [512, 512, 1],
    [512, 512, 1],
    [512, 1024, 2],
    [1024, 1024, 1],
  ];
  let h = 112;
  for (const [cin, cout, s] of blocks) {
    specs.push({ h, c: cin, o: cin, k: 3, s, dw: true });
    h = Math.ceil(h / s);
    specs.push({ h, c: cin, o: cout, k: 1 });
  }
  return [...specs.map((spec, i) => layer(spec, 2000 + 10 * i)), fc(1024, 1000, 9100)];
}

function sweep(layers) {
  const run = () => {
    for (const l of layers) l.run();
  };
  return { run, macs: layers.reduce((sum, l) => sum + l.macs, 0) };
}

const cases = [
  ["resnet 56x56x64->64 3x3", () => layer({ h: 56, c: 64, o: 64, k: 3 }, 1)],
  ["resnet 56x56x64->256 1x1", () => layer({ h: 56, c: 64, o: 256, k: 1 }, 2)],
  ["resnet 14x14x256->256 3x3", () => layer({ h: 14, c: 256, o: 256, k: 3 }, 3)],
  ["resnet 14x14x256->1024 1x1", () => layer({ h: 14, c: 256, o: 1024, k: 1 }, 4)],
  ["resnet 7x7x512->2048 1x1", () => layer({ h: 7, c: 512, o: 2048, k: 1 }, 5)],
  ["resnet stem 224x224x3->64 7x7 s2", () => layer({ h: 224, c: 3, o: 64, k: 7, s: 2, pad: [3, 3] }, 6)],
  ["mobilenet dw 112x112x64 3x3", () => layer({ h: 112, c: 64, o: 64, k: 3, dw: true }, 7)],
  ["mobilenet 112x112x32->64 1x1", () => layer({ h: 112, c: 32, o: 64, k: 1 }, 8)],
];
if (!quick) {
  cases.push(["ResNet-50: all conv + FC layers", () => sweep(resnet50())]);
  cases.push(["MobileNet-v1: all conv + FC layers", () => sweep(mobilenetV1())]);
}

const results = [];
for (const [label, make] of cases) {
  const { run, macs } = make();
  const suite = new Benchmark.Suite(label);
  suite.add(label, run, quick ? { maxTime: 0.2, minSamples: 1, initCount: 1 } : { maxTime: 3, minSamples: 5 });
  suite.on("cycle", (ev) => {
    const t = ev.target;
    const seconds = 1 / t.hz;
    results.push({
      case: label,
      macs,
      gmacPerSecond: (macs * t.hz) / 1e9,
      msPerRun: seconds * 1e3,
      rme: t.stats.rme,
      samples: t.stats.sample.length,
    });
    console.log(
      `${label}: ${((macs * t.hz) / 1e9).toFixed(2)} GMAC/s, ${(seconds * 1e3).toFixed(2)} ms ` +
        `(${(macs / 1e6).toFixed(1)} M MACs, ±${t.stats.rme.toFixed(1)}%, ${t.stats.sample.length} samples)`,
    );
  });
  suite.run();
}

console.log("\n| case | M MACs | ms | GMAC/s |\n|---|---:|---:|---:|");
for (const r of results) {
  console.log(
    `| ${r.case} | ${(r.macs / 1e6).toFixed(1)} | ${r.msPerRun.toFixed(2)} | ${r.gmacPerSecond.toFixed(2)} |`,
  );
}
const meta = machine();
console.log(`\n${JSON.stringify(meta)}`);
writeJson({ meta, results });
