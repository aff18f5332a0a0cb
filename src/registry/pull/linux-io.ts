/**
 * The Linux system calls the spliced transfer (splice-get.ts) makes through bun:ffi: non-blocking TCP sockets,
 * poll, and splice, which moves a body from the socket into the file inside the kernel, without copying it
 * through this process. `linuxIo()` is undefined elsewhere (another OS, a libc that does not load).
 */
import { dlopen, FFIType, type Pointer, read } from "bun:ffi";
import { constants } from "node:os";

const { i32, u32, u64, ptr } = FFIType;
/** ssize_t results read as int: every length asked for here is under 2 GiB, and -1 stays -1. */
const isize = i32;
const SYMBOLS = {
  socket: { args: [i32, i32, i32], returns: i32 },
  connect: { args: [i32, ptr, u32], returns: i32 },
  getsockopt: { args: [i32, i32, i32, ptr, ptr], returns: i32 },
  send: { args: [i32, ptr, u64, i32], returns: isize },
  recv: { args: [i32, ptr, u64, i32], returns: isize },
  poll: { args: [ptr, u64, i32], returns: i32 },
  pipe2: { args: [ptr, i32], returns: i32 },
  fcntl: { args: [i32, i32, i32], returns: i32 },
  splice: { args: [i32, ptr, i32, ptr, u64, u32], returns: isize },
  close: { args: [i32], returns: i32 },
  strerror: { args: [i32], returns: FFIType.cstring },
  __errno_location: { args: [], returns: ptr },
} as const;

/** Constants of Linux's ABI (the same on x86-64 and arm64). */
export const L = {
  AF_INET: 2,
  AF_INET6: 10,
  SOCK_STREAM: 1,
  SOCK_NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_ERROR: 4,
  MSG_DONTWAIT: 0x40,
  MSG_NOSIGNAL: 0x4000,
  POLLIN: 1,
  POLLOUT: 4,
  F_SETPIPE_SZ: 1031,
  SPLICE_F_MOVE: 1,
  SPLICE_F_NONBLOCK: 2,
  SPLICE_F_MORE: 4,
  EINTR: 4,
  EAGAIN: 11,
  EINVAL: 22,
  EINPROGRESS: 115,
} as const;

export type LinuxCalls = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

/** The calls, and errno of the last one that failed on this thread. */
export interface LinuxIo {
  readonly c: LinuxCalls;
  errno(): number;
}

let loaded: LinuxIo | null | undefined;

/** Loads libc once per thread; undefined where it cannot be (not Linux, no glibc). */
export function linuxIo(): LinuxIo | undefined {
  if (loaded === undefined) loaded = process.platform === "linux" ? tryLoad() : null;
  return loaded ?? undefined;
}

function tryLoad(): LinuxIo | null {
  try {
    const { symbols: c } = dlopen("libc.so.6", SYMBOLS);
    return { c, errno: () => read.i32(c.__errno_location() as Pointer, 0) };
  } catch {
    return null;
  }
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/**
 * An error for a failed call, shaped as Node's (`code`, `errno`); `syscall` only when `storage` (the download
 * sorts errors carrying one as the disk's, the rest as the network's).
 */
export function callError(io: LinuxIo, errno: number, call: string, storage: boolean): NodeJS.ErrnoException {
  const code = ERRNO_NAMES.get(errno) ?? `E${errno}`;
  const err: NodeJS.ErrnoException = new Error(`${code}: ${String(io.c.strerror(errno))}, ${call}`);
  err.code = code;
  err.errno = -errno;
  if (storage) err.syscall = call;
  return err;
}
