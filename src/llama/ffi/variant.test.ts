import { expect, test } from "bun:test";
import {
  chooseVariant,
  chooseVariantWithReasons,
  describeChoice,
  type MachineProbe,
  runsOn,
} from "./variant.ts";

const ALL = ["cuda", "cuda-ext", "vulkan", "cpu"] as const;
const NO_CUDA_LIBS = {
  "libcuda.so.1": "not found",
  "libcudart.so.12": "not found",
  "libcublas.so.12": "not found",
  "libcublasLt.so.12": "not found",
  "libcudart.so.13": "not found",
  "libcublas.so.13": "not found",
  "libcublasLt.so.13": "not found",
};
const CPU_BOX: MachineProbe = {
  nvidiaDriver: false,
  computeCaps: [],
  vulkanGpu: false,
  unloadable: NO_CUDA_LIBS,
  builds: {},
};
const GPU = (
  caps: string[],
  unloadable: Record<string, string> = {},
  driverVersion = "580.65.06",
): MachineProbe => ({
  nvidiaDriver: true,
  driverVersion,
  computeCaps: caps,
  vulkanGpu: true,
  unloadable,
  builds: {},
});

test("variant choice: override, then cuda with an NVIDIA driver, then a real Vulkan GPU, else cpu", () => {
  expect(chooseVariant(ALL, CPU_BOX)).toBe("cpu");
  expect(chooseVariant(ALL, GPU(["8.6"]))).toBe("cuda");
  expect(chooseVariant(["vulkan", "cpu"], GPU(["8.6"]))).toBe("vulkan");
  expect(chooseVariant(ALL, { ...CPU_BOX, vulkanGpu: true })).toBe("vulkan");
  expect(chooseVariant(["cpu"], GPU(["8.6"]))).toBe("cpu");
  // An explicit vulkan runs on a software renderer too (lavapipe in tests).
  expect(chooseVariant(ALL, CPU_BOX, "vulkan")).toBe("vulkan");
  // Unknown names pass through, so loading reports them instead of silently using the CPU.
  expect(chooseVariant(ALL, CPU_BOX, "metal")).toBe("metal");
});

const cases: {
  name: string;
  available?: readonly (typeof ALL)[number][];
  probe: MachineProbe;
  override?: string;
  variant: string;
  skipped: string[];
  fellBack: boolean;
}[] = [
  {
    name: "no driver, override cuda: falls back naming the missing libraries",
    probe: {
      ...CPU_BOX,
      unloadable: {
        "libcuda.so.1": "not found",
        "libcublas.so.13": "not found",
        "libcublasLt.so.13": "not found",
      },
    },
    override: "cuda",
    variant: "cpu",
    skipped: [
      "cuda: no NVIDIA driver (/proc/driver/nvidia/version absent); libcuda.so.1, libcublas.so.13, libcublasLt.so.13 not found",
      "cuda-ext: no NVIDIA driver (/proc/driver/nvidia/version absent); libcuda.so.1 not found",
      "vulkan: no Vulkan GPU (no hardware driver)",
    ],
    fellBack: true,
  },
  {
    name: "no driver, no override: cpu, reasons kept but no warning",
    probe: { ...CPU_BOX, vulkanGpu: false },
    variant: "cpu",
    skipped: [
      "cuda: no NVIDIA driver (/proc/driver/nvidia/version absent); libcuda.so.1, libcudart.so.13, libcublas.so.13, libcublasLt.so.13 not found",
      "cuda-ext: no NVIDIA driver (/proc/driver/nvidia/version absent); libcuda.so.1, libcudart.so.12, libcublas.so.12, libcublasLt.so.12 not found",
      "vulkan: no Vulkan GPU (no hardware driver)",
    ],
    fellBack: false,
  },
  {
    name: "sm_86 with CUDA 13 libraries: cuda",
    probe: GPU(["8.6"], { "libcudart.so.12": "not found" }),
    variant: "cuda",
    skipped: [],
    fellBack: false,
  },
  {
    name: "sm_89 runs the sm_89 cubin",
    probe: GPU(["8.9"]),
    variant: "cuda",
    skipped: [],
    fellBack: false,
  },
  {
    name: "sm_90 (H100/H200): not in the CUDA 13 build, cuda-ext runs it through compute_86 PTX",
    probe: GPU(["9.0"]),
    variant: "cuda-ext",
    skipped: ["cuda: GPU sm_90 not in this build (sm_86, sm_89, sm_120a, sm_121a)"],
    fellBack: true,
  },
  {
    name: "sm_80 (A100): cuda-ext's sm_80 cubin",
    probe: GPU(["8.0"]),
    variant: "cuda-ext",
    skipped: ["cuda: GPU sm_80 not in this build (sm_86, sm_89, sm_120a, sm_121a)"],
    fellBack: true,
  },
  {
    name: "sm_90 without the ext package: vulkan, saying both why",
    available: ["cuda", "vulkan", "cpu"],
    probe: GPU(["9.0"]),
    variant: "vulkan",
    skipped: [
      "cuda: GPU sm_90 not in this build (sm_86, sm_89, sm_120a, sm_121a)",
      "cuda-ext: not in this build",
    ],
    fellBack: true,
  },
  {
    name: "libcudart.so.13 missing, CUDA 12 present: cuda-ext",
    probe: GPU(["8.6"], { "libcudart.so.13": "not found" }),
    variant: "cuda-ext",
    skipped: ["cuda: libcudart.so.13 not found"],
    fellBack: true,
  },
  {
    name: "neither runtime: vulkan",
    probe: GPU(["8.6"], {
      "libcudart.so.13": "not found",
      "libcudart.so.12": "not found",
      "libcublas.so.12": "not found",
    }),
    variant: "vulkan",
    skipped: ["cuda: libcudart.so.13 not found", "cuda-ext: libcudart.so.12, libcublas.so.12 not found"],
    fellBack: true,
  },
  {
    name: "a library outside the loader path: the hint is kept",
    probe: GPU(["8.6"], {
      "libcublas.so.13":
        "not on the loader path (found in /usr/local/cuda-13.0/lib64: add it to LD_LIBRARY_PATH)",
    }),
    available: ["cuda", "cpu"],
    variant: "cpu",
    skipped: [
      "cuda: libcublas.so.13 not on the loader path (found in /usr/local/cuda-13.0/lib64: add it to LD_LIBRARY_PATH)",
      "cuda-ext: not in this build",
      "vulkan: not in this build",
    ],
    fellBack: true,
  },
  {
    name: "old driver: CUDA 13 refused, CUDA 12 taken",
    probe: GPU(["8.6"], {}, "550.54.15"),
    variant: "cuda-ext",
    skipped: ["cuda: driver 550.54.15 too old for CUDA 13 (needs ≥ 580)"],
    fellBack: true,
  },
  {
    name: "no cuda packages, driver present: vulkan",
    available: ["vulkan", "cpu"],
    probe: GPU(["9.0"]),
    variant: "vulkan",
    skipped: ["cuda: not in this build", "cuda-ext: not in this build"],
    fellBack: false,
  },
  {
    name: "custom sm_90 build (scripts/build-cuda.sh metadata) runs an H100",
    probe: {
      ...GPU(["9.0"], { "libcudart.so.13": "not found" }),
      builds: { cuda: { cuda: 12, sass: ["90"], ptx: [] } },
    },
    variant: "cuda",
    skipped: [],
    fellBack: false,
  },
  {
    name: "compute capability unknown (no nvidia-smi): the build is tried",
    probe: GPU([]),
    variant: "cuda",
    skipped: [],
    fellBack: false,
  },
  {
    name: "override cuda-ext on an sm_120 GPU: PTX covers it",
    probe: GPU(["12.0"]),
    override: "cuda-ext",
    variant: "cuda-ext",
    skipped: [],
    fellBack: false,
  },
  {
    name: "override vulkan starts the search there (cuda not considered)",
    probe: GPU(["8.6"]),
    override: "vulkan",
    variant: "vulkan",
    skipped: [],
    fellBack: false,
  },
];

for (const c of cases) {
  test(`variant choice: ${c.name}`, () => {
    const got = chooseVariantWithReasons(c.available ?? ALL, c.probe, c.override);
    expect(got).toEqual({ variant: c.variant, skipped: c.skipped, fellBack: c.fellBack });
  });
}

test("the one log line: skipped reasons, then the variant used", () => {
  const c = chooseVariantWithReasons(ALL, GPU(["9.0"]));
  expect(describeChoice(c)).toBe(
    "cuda: GPU sm_90 not in this build (sm_86, sm_89, sm_120a, sm_121a); using cuda-ext",
  );
});

test("architecture coverage: later minors of one major, 'a' targets exact, PTX forward", () => {
  const b = { cuda: 13, sass: ["86", "120a"], ptx: [] };
  expect(runsOn(b, "8.6")).toBe(true);
  expect(runsOn(b, "8.9")).toBe(true);
  expect(runsOn(b, "8.0")).toBe(false);
  expect(runsOn(b, "12.0")).toBe(true);
  expect(runsOn(b, "12.1")).toBe(false);
  expect(runsOn({ cuda: 12, sass: [], ptx: ["86"] }, "9.0")).toBe(true);
  expect(runsOn({ cuda: 12, sass: [], ptx: ["86"] }, "7.5")).toBe(false);
});
