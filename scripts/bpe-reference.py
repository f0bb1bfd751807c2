#!/usr/bin/env python3
"""Writes the byte-level BPE reference ids the decoder's tokenizer tests compare with: Hugging Face
`tokenizers` built from the GGUF's own vocabulary and merges, with SmolLM2's pre-tokenizer
(Digits with individual digits, then ByteLevel without a prefix space, GPT-2's pattern) and no
special tokens added, over texts chosen to hit the edge cases.

    python3 -m pip install tokenizers
    scripts/bpe-reference.py models/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf \\
        Tests/SoftmaxModelsTests/Resources/bpe-reference.json

The GGUF metadata is read by the small reader below (no other dependency).
"""
import json, struct, sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers


def gguf_metadata(path):
    """The metadata pairs of a GGUF file (version 2 or 3)."""
    with open(path, "rb") as f:
        data = f.read(64 << 20)
    pos = 0

    def take(fmt):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values[0] if len(values) == 1 else values

    def string():
        nonlocal pos
        n = take("Q")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            inner, n = take("I"), take("Q")
            return [value(inner) for _ in range(n)]
        return take(scalar[kind])

    assert data[:4] == b"GGUF", "not a GGUF file"
    pos = 4
    version, tensors, count = take("I"), take("Q"), take("Q")
    out = {}
    for _ in range(count):
        key = string()
        out[key] = value(take("I"))
    return out


TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "",
    " ",
    "   leading and trailing spaces   ",
    "two  spaces,   three,\ttab,\t\ttwo tabs",
    "line one\nline two\n\nafter a blank line\n\n\n",
    "\r\nWindows\r\nline ends\r\n",
    "Numbers 1234567890 3.14159 1,000,000 2nd 3rd 21st -42 +7 0x1F ½ ² ٣ 五",
    "I'm sure it's what you've said: they'll go, he'd know, we're done. I'M LOUD, IT'S OK",
    "Hello, World!!! How's it going??? ... --- ___ *** ### @@@",
    "Café au lait, naïve résumé, façade, Ångström, Ærøskøbing, São Paulo, Zürich.",
    "decomposed: Cafe\u0301 nai\u0308ve, combining only: \u0301\u0308",
    "İstanbul ĞÜŞÖÇ ǅemal ﬁne ﬂour ß ẞ",
    "東京は日本の首都です。北京欢迎你！",
    "한국어 텍스트와 日本語のかな混じり文",
    "Привет, мир! Ελληνικά κείμενα. עברית وعربي",
    "emoji: 😀😃 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️",
    "e-mail: someone@example.com, url: https://example.org/a/b?c=d&e=f#g",
    "Prices: $3.50, €4, £5.25, ¥600 — 50% off!!! (limited) [offer] {now} <b>bold</b>",
    "def f(x):\n    return x ** 2  # square\n\tif x: pass",
    "<|im_start|>user\nHi<|im_end|>",
    "zero\u200bwidth\u200dand\u00a0nbsp\u2028sep\u3000ideographic space",
    "\x00\x01\x07 control characters \x1b[31m",
    "x" * 300,
    "ab" * 200 + " " + "12" * 100,
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "'s 't 're 've 'm 'll 'd ' s 'S 'RE",
    "invalid UTF-8 replaced: \ufffd\ufffd",
]


def main():
    path, output = sys.argv[1], sys.argv[2]
    meta = gguf_metadata(path)
    assert meta["tokenizer.ggml.model"] == "gpt2" and meta.get("tokenizer.ggml.pre") == "smollm", "not a SmolLM byte-level BPE"
    tokens, merges = meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.merges"]
    vocab = {t: i for i, t in enumerate(tokens)}
    bpe = models.BPE(vocab=vocab, merges=[tuple(m.split(" ", 1)) for m in merges])
    tokenizer = Tokenizer(bpe)
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tokenizer.decoder = decoders.ByteLevel()
    wiki = open(sys.argv[3], encoding="utf-8").read() if len(sys.argv) > 3 else None
    cases = []
    for text in TEXTS + ([wiki] if wiki else []):
        ids = tokenizer.encode(text, add_special_tokens=False).ids
        assert tokenizer.decode(ids) == text, "the reference does not round-trip %r" % text[:40]
        cases.append({"text": text, "ids": ids})
    with open(output, "w", encoding="utf-8") as f:
        json.dump({"source": "Hugging Face tokenizers, BPE from the GGUF metadata; pre-tokenizer Digits(individual_digits) + "
                             "ByteLevel(add_prefix_space=False); scripts/bpe-reference.py",
                   "gguf_sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
                   "cases": cases}, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), output))


if __name__ == "__main__":
    main()
