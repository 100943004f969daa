import assert from "node:assert/strict";
import { getFloat16, setFloat16 } from "@petamoriken/float16";
import { fromFp16Bits, storeAs, toFp16Bits } from "../../src/graph/tensor.js";

// Oracle: @petamoriken/float16's DataView accessors, an independent binary16 implementation.
describe("fp16 bit conversion (checked exhaustively against @petamoriken/float16)", () => {
  it("every one of the 65,536 binary16 patterns decodes to the oracle's value and encodes back", () => {
    const bits = new Uint16Array(65536);
    for (let h = 0; h < 65536; h++) bits[h] = h;
    const values = new Float32Array(65536);
    fromFp16Bits(bits, values);
    const view = new DataView(new ArrayBuffer(2));
    for (let h = 0; h < 65536; h++) {
      view.setUint16(0, h, true);
      const want = getFloat16(view, 0, true);
      if (!Object.is(values[h], want) && !(Number.isNaN(want) && Number.isNaN(values[h])))
        assert.fail(`0x${h.toString(16)}: got ${values[h]}, want ${want}`);
    }
    const back = new Uint16Array(65536);
    toFp16Bits(values, back);
    for (let h = 0; h < 65536; h++) {
      const nanPattern = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nanPattern) assert.ok((back[h] & 0x7c00) === 0x7c00 && (back[h] & 0x3ff) !== 0, `NaN 0x${h.toString(16)}`);
      else if (back[h] !== h) assert.fail(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  it("values rounded by storeAs encode to the oracle's bits", () => {
    const values = new Float32Array(20000);
    for (let i = 0; i < values.length; i++) values[i] = Math.sinh((i - 10000) / 900) * 3;
    storeAs("float16", values);
    const bits = new Uint16Array(values.length);
    toFp16Bits(values, bits);
    const view = new DataView(new ArrayBuffer(2));
    for (let i = 0; i < values.length; i++) {
      setFloat16(view, 0, values[i], true);
      assert.equal(bits[i], view.getUint16(0, true), `${values[i]}`);
    }
  });
});
