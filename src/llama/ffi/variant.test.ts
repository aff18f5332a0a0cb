import { expect, test } from "bun:test";
import { chooseVariant } from "./variant.ts";

test("variant choice: override, then cuda with an NVIDIA driver, then a real Vulkan GPU, else cpu", () => {
  const all = ["cuda", "vulkan", "cpu"] as const;
  expect(chooseVariant(all, { nvidiaDriver: false, vulkanGpu: false })).toBe("cpu");
  expect(chooseVariant(all, { nvidiaDriver: true, vulkanGpu: true })).toBe("cuda");
  expect(chooseVariant(["vulkan", "cpu"], { nvidiaDriver: true, vulkanGpu: true })).toBe("vulkan");
  expect(chooseVariant(all, { nvidiaDriver: false, vulkanGpu: true })).toBe("vulkan");
  expect(chooseVariant(["cpu"], { nvidiaDriver: true, vulkanGpu: true })).toBe("cpu");
  expect(chooseVariant(all, { nvidiaDriver: false, vulkanGpu: false }, "vulkan")).toBe("vulkan");
});
