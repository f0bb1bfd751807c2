#!/usr/bin/env python3
"""Writes the WordPiece reference ids the tokenizer tests compare with: Hugging Face `tokenizers`
on the model's own tokenizer.json, padding and truncation turned off (the file pads and truncates
to 128), over a sample of texts chosen to hit the edge cases.

    python3 -m pip install tokenizers
    scripts/tokenizer-reference.py models/all-MiniLM-L6-v2/tokenizer.json \
        Tests/SoftmaxModelsTests/Resources/tokenizer-reference.json
"""
import json
import sys

from tokenizers import Tokenizer

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "",
    "   ",
    "Hello, World!!! How's it going?",
    "Café au lait, naïve résumé, façade, Ångström, Ærøskøbing, São Paulo, Zürich.",
    "İstanbul ĞÜŞÖÇ ǅemal ﬁne ﬂour ß ẞ",
    "東京は日本の首都です。北京欢迎你！",
    "한국어 텍스트와 日本語のかな混じり文",
    "Привет, мир! Ελληνικά κείμενα. עברית وعربي",
    "e-mail: someone@example.com, url: https://example.org/a/b?c=d&e=f#g",
    "Prices: $3.50, €4, £5.25, ¥600 — 50% off!!! (limited) [offer] {now} <b>bold</b>",
    "a+b=c; x^2 | y ~ z ` backtick \\ backslash / slash _ underscore",
    "Numbers 1234567890 3.14159 1,000,000 2nd 3rd 21st",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "x" * 120,
    "a" * 99 + " " + "b" * 100 + " " + "c" * 101,
    "Emoji 😀🎉👍🏽 and symbols ♥ ☃ ★ ✓",
    "Tabs\tand\nnewlines\r\nand\u00a0non-breaking\u2003spaces\u200bzero-width",
    "Control\u0001chars\u0007removed\u007f and \ufffd replacement",
    "Soft\u00adhyphen and combining e\u0301 a\u0308 o\u0302",
    "[CLS] already [SEP] special [MASK] tokens [UNK] [PAD] [cls] [Sep] [NOTATOKEN]",
    "don't won't can't it's we're they'll I'd",
    "U.S.A. e.g. i.e. etc... ...",
    "«quoted» “curly” ‘single’ „low“ ‹angle› 「corner」",
    "mixed CASE WoRdS and CamelCaseIdentifiers snake_case_names",
    "The year 1999 was followed by 2000, then 2001.",
    "Ⅻ ⅷ ① ② ¼ ½ ² ³ µ",
    "Hyphenated-words, well-known, state-of-the-art, end—dash–en",
    "unbelievably unaffordable reestablishment overcommitment",
    "ĳ Ŀ ŉ ſ ǆ ǈ ǋ",
    "A man is playing a guitar on stage.",
    "Transformers use softmax attention; approximations trade accuracy for speed.",
    "𠀀𠀁 𪜀 𫝀 𫠠 𬺰 CJK extension ideographs",
    "Mathematical 𝐛𝐨𝐥𝐝 𝑖𝑡𝑎𝑙𝑖𝑐 letters",
    "What about ¿questions? and ¡exclamations!",
    "word " * 300,
]


def main():
    tok = Tokenizer.from_file(sys.argv[1])
    tok.no_padding()
    tok.no_truncation()
    out = [{"text": t, "ids": tok.encode(t).ids} for t in TEXTS]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"tokenizers": __import__("tokenizers").__version__, "cases": out}, f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
