"""Indicator frames: what each format's decoder keeps, and that nothing broken becomes a weight."""

from __future__ import annotations

import random
import time

import pytest
import streams

from oreledger_station.frames import (
    LineDecoder,
    Reading,
    ToledoDecoder,
    Xk3190Decoder,
    make_decoder,
)


def _weights(readings: list[Reading]) -> list[int]:
    return [r.weight_kg for r in readings]


def _in_pieces(decoder, data: bytes, seed: int) -> list[Reading]:
    rng = random.Random(seed)
    readings, position = [], 0
    while position < len(data):
        size = rng.randrange(1, 40)
        readings += decoder.feed(data[position : position + size])
        position += size
    return readings


# --- XK3190 ---------------------------------------------------------------------------------


def test_xk3190_frame_is_read_exactly_as_the_format_defines_it() -> None:
    # given the frame for 49 020 kg written byte by byte from the definition
    body = b"+0490200"
    xor = 0
    for byte in body:
        xor ^= byte
    frame = b"\x02" + body + f"{xor:02X}".encode() + b"\x03"
    assert frame == streams.xk3190_frame(49_020) == b"\x02+049020014\x03"
    # then the decoder reads 49 020 kg, ending at the ETX
    assert Xk3190Decoder().feed(frame) == [Reading(49_020, end=12)]


@pytest.mark.parametrize(
    ("frame", "unit_kg", "kg"),
    [
        (streams.xk3190_frame(-60), 1, -60),
        (streams.xk3190_frame(4902, places=2), 1000, 49_020),  # 49.02 t
        (streams.xk3190_frame(490205, places=1), 1, 49_021),  # 49 020.5 kg, rounded
    ],
)
def test_xk3190_sign_decimal_point_and_unit(frame: bytes, unit_kg: int, kg: int) -> None:
    assert _weights(Xk3190Decoder(unit_kg).feed(frame)) == [kg]


def test_frames_split_anywhere_read_the_same() -> None:
    data = streams.render(streams.recorded_script("xk3190"), "xk3190", 2400)[:40_000]
    whole = Xk3190Decoder()
    expected = whole.feed(data)
    split = Xk3190Decoder()
    assert _weights(_in_pieces(split, data, seed=3)) == _weights(expected)
    assert split.counts == whole.counts


def test_every_single_byte_corruption_gives_the_true_weight_or_nothing() -> None:
    # given valid frames of both formats, each byte replaced by every other byte value
    for decoder_type, frame, kg in [
        (Xk3190Decoder, streams.xk3190_frame(37_480), 37_480),
        (ToledoDecoder, streams.toledo_frame(37_480), 37_480),
    ]:
        for position in range(len(frame)):
            for value in range(256):
                if value == frame[position]:
                    continue
                broken = frame[:position] + bytes([value]) + frame[position + 1 :]
                decoder = decoder_type()
                readings = decoder.feed(broken + frame)
                # then the broken frame is never read, and the good one after it still is
                assert _weights(readings) == [kg], (decoder_type.name, position, value)


def test_checksum_errors_noise_and_cut_frames_are_counted_and_skipped() -> None:
    good = streams.xk3190_frame(15_040)
    data = (
        good
        + streams.xk3190_frame(45_000, corrupt=True)  # wrong check
        + b"\x00\xff\x02\x02+12"  # line noise with stray STX
        + good[:7]  # cut short
        + good
    )
    decoder = Xk3190Decoder()
    assert _weights(decoder.feed(data)) == [15_040, 15_040]
    assert decoder.counts.as_dict() == {
        "frames": 2,
        "bad_checksum": 1,
        "malformed": 3,
        "noise_bytes": 14,  # 7 of noise, 7 of the cut frame
    }


def test_a_stretch_of_loaded_frames_with_broken_checks_gives_no_reading() -> None:
    # given 25 s where every frame shows 45 t with a wrong check (a phantom truck)
    script = streams.Script()
    script.phantom(45_000, 25.0)
    for fmt, baud in (("xk3190", 2400), ("toledo", 4800)):
        data = streams.render(script, fmt, baud)
        decoder = make_decoder(fmt)
        readings = decoder.feed(data)
        # then not one reading shows the phantom weight, and the broken frames are counted
        assert 45_000 not in _weights(readings)
        assert decoder.counts.bad_checksum > 250


# --- Toledo ---------------------------------------------------------------------------------


def test_toledo_frame_is_read_exactly_as_the_format_defines_it() -> None:
    frame = streams.toledo_frame(49_020)
    assert frame[:4] == b"\x02\x2a\x30\x20" and frame[4:17] == b"049020000000\r"
    assert (sum(frame[:17]) + frame[17]) % 128 == 0  # two's complement of the 7-bit sum
    assert ToledoDecoder().feed(frame) == [Reading(49_020, end=18)]


def test_toledo_motion_sign_and_range_bits() -> None:
    decoder = ToledoDecoder()
    moving, negative = streams.toledo_frame(12_340, motion=True), streams.toledo_frame(-40)
    assert decoder.feed(moving + negative) == [
        Reading(12_340, motion=True, end=18),
        Reading(-40, end=36),
    ]
    over = bytearray(streams.toledo_frame(99_999))
    over[2] |= 0x04
    over[17] = (-sum(over[:17])) & 0x7F
    assert decoder.feed(bytes(over))[0].out_of_range


def _toledo(a: int, b: int, c: int, digits: bytes) -> bytes:
    frame = bytes([2, a, b, c]) + digits + b"000000\r"
    return frame + bytes([(-sum(frame)) & 0x7F])


def test_toledo_units_and_decimal_point() -> None:
    decoder = ToledoDecoder()
    tonnes = _toledo(0x20 | 0x08 | 0x04, 0x30, 0x22, b"004902")  # XXXX.XX t
    tenth_kg = _toledo(0x20 | 0x08 | 0x03, 0x30, 0x20, b"490205")  # XXXXX.X kg
    pounds = _toledo(0x2A, 0x20, 0x20, b"049020")  # lb: refused
    no_status_bit = _toledo(0x0A, 0x30, 0x20, b"049020")  # bit 5 of status A missing
    readings = decoder.feed(tonnes + tenth_kg + pounds + no_status_bit)
    assert _weights(readings) == [49_020, 49_021]
    assert decoder.counts.malformed == 2


def test_toledo_checksum_byte_that_looks_like_stx_does_not_lose_the_next_frame() -> None:
    # given a frame whose checksum byte is STX (0x02): a tare that makes it so
    for tare in range(1_000_000):
        body = b"\x02\x2a\x30\x20049020" + f"{tare:06d}".encode() + b"\r"
        if (-sum(body)) & 0x7F == 0x02:
            break
    data = body + b"\x02" + streams.toledo_frame(20_000)
    # then both frames are read, split anywhere
    assert _weights(_in_pieces(ToledoDecoder(), data, seed=1)) == [49_020, 20_000]


# --- configurable line format ---------------------------------------------------------------


def test_line_format_default_pattern_and_garbage() -> None:
    decoder = LineDecoder()
    data = (
        streams.line_frame(49_020)
        + streams.line_frame(120, motion=True)
        + b"GARBAGE LINE\r\n"
        + b"ST,GS,+   4.90t\r\n"
        + b"\x00" * 300  # no line end for longer than a line can be
    )
    readings = _in_pieces(decoder, data, seed=2)
    assert [(r.weight_kg, r.motion) for r in readings] == [(49_020, False), (120, True),
                                                           (4_900, False)]  # fmt: skip
    assert decoder.counts.malformed == 2


def test_line_format_custom_pattern() -> None:
    decoder = LineDecoder(r"^W(?P<sign>[+-])(?P<weight>\d{6})$", unit_kg=1)
    assert _weights(decoder.feed(b"W+049020\nW-000040\nW+04x020\n")) == [49_020, -40]
    with pytest.raises(ValueError, match="weight"):
        LineDecoder(r"^(?P<kg>\d+)$")


def test_parsing_is_far_faster_than_an_indicator_sends() -> None:
    # a real indicator sends 10–50 frames a second; the agent must keep up 100 times over

    data = streams.xk3190_frame(49_020) * 20_000
    decoder = Xk3190Decoder()
    began = time.perf_counter()
    assert len(decoder.feed(data)) == 20_000
    assert 20_000 / (time.perf_counter() - began) > 5_000


# --- the committed captures -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(streams.RECORDED))
def test_committed_captures_are_what_the_generator_writes(fmt: str, tmp_path) -> None:
    # given the generator run again
    streams.write_recorded(tmp_path)
    baud = streams.RECORDED[fmt][0]
    name = f"{fmt}-{baud}.bin"
    # then it writes the committed bytes and EVENTS.csv exactly
    assert (tmp_path / name).read_bytes() == (streams.DATA / name).read_bytes()
    events = f"{fmt}-events.csv"
    assert (tmp_path / events).read_bytes() == (streams.DATA / events).read_bytes()
    # and the line is dirty: broken checks, cut frames and noise, all counted
    decoder = make_decoder(fmt)
    decoder.feed((streams.DATA / name).read_bytes())
    counts = decoder.counts
    assert counts.bad_checksum > 500 and counts.malformed > 100 and counts.noise_bytes > 1000
