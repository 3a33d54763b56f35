"""A classic-BPF interpreter for seccomp programs, so compiled policies can be tested
without loading them (tests/test_jail_policy.py) and explained (docs/sandbox.md)."""
from __future__ import annotations

import struct

# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
DATA = struct.Struct("<iIQ6Q")
INSN = struct.Struct("<HBBI")
MASK32 = 0xFFFFFFFF


def run(program: bytes, nr: int, arch: int, args: tuple[int, ...] = (0,) * 6) -> int:
    """The SECCOMP_RET_* value `program` returns for one system call."""
    data = DATA.pack(nr, arch, 0, *args)
    insns = [INSN.unpack_from(program, offset) for offset in range(0, len(program), INSN.size)]
    acc = index = 0
    scratch = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = insns[pc]
        pc += 1
        cls = code & 0x07
        if code == 0x20:                                  # ld [k]
            acc = struct.unpack_from("<I", data, k)[0]
        elif code == 0x00:                                # ld #k
            acc = k
        elif code == 0x60:                                # ld M[k]
            acc = scratch[k]
        elif code == 0x02:                                # st M[k]
            scratch[k] = acc
        elif code == 0x61:                                # ldx M[k]
            index = scratch[k]
        elif code == 0x07:                                # tax
            index = acc
        elif code == 0x87:                                # txa
            acc = index
        elif cls == 0x04:                                 # alu
            acc = _alu(code, acc, k if code & 0x08 == 0 else index)
        elif cls == 0x05:                                 # jmp
            pc += _jump(code, acc, k if code & 0x08 == 0 else index, k, jt, jf)
        elif cls == 0x06:                                 # ret
            return k if code & 0x18 == 0 else acc
        else:
            raise ValueError(f"unsupported BPF instruction {code:#x} at {pc - 1}")


def _alu(code: int, acc: int, operand: int) -> int:
    op = code & 0xF0
    results = {0x00: acc + operand, 0x10: acc - operand, 0x20: acc * operand, 0x40: acc | operand,
               0x50: acc & operand, 0x60: acc << operand, 0x70: acc >> operand, 0x80: -acc, 0xA0: acc ^ operand}
    if op not in results:
        raise ValueError(f"unsupported BPF alu op {code:#x}")
    return results[op] & MASK32


def _jump(code: int, acc: int, operand: int, k: int, jt: int, jf: int) -> int:
    op = code & 0xF0
    if op == 0x00:
        return k                                          # ja
    taken = {0x10: acc == operand, 0x20: acc > operand, 0x30: acc >= operand, 0x40: bool(acc & operand)}
    if op not in taken:
        raise ValueError(f"unsupported BPF jump {code:#x}")
    return jt if taken[op] else jf
