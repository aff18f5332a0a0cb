/** Binary PPM (P6): the plainest RGB file the runner's stb_image reads, for formats it cannot read itself. */

/**
 * RGBA pixels → a P6 file. Alpha is dropped, as stb_image drops it when the runner loads a PNG with alpha
 * into RGB, so a WebP and the same picture as a PNG reach the projector alike.
 */
export function rgbaToPpm(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const header = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height * 3);
  out.set(header);
  let o = header.length;
  for (let i = 0; i < width * height * 4; i += 4) {
    out[o++] = rgba[i] as number;
    out[o++] = rgba[i + 1] as number;
    out[o++] = rgba[i + 2] as number;
  }
  return out;
}
