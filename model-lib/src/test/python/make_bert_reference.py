#!/usr/bin/python3
"""Writes the fixture of BertReferenceParityTest: a tiny BERT built from PyTorch's own modules,
its random weights, a padded batch of inputs and its hidden states after every layer.

Re-run from the repository root with Debian's PyTorch (`apt-get install -y python3-torch`, 1.13.1;
no Hugging Face `transformers` is needed):

    /usr/bin/python3 model-lib/src/test/python/make_bert_reference.py

It overwrites model-lib/src/test/resources/dev/narrowbert/pretrained/bert-reference.{json,bin}.
The weights come from a fixed seed, so a re-run gives the same files on the same PyTorch.

Why PyTorch's modules are BERT. Checked against Hugging Face `modeling_bert.py` from memory, and
by `bert_layer_by_hand` below, which writes `BertLayer` out step by step and must agree with
`nn.TransformerEncoderLayer` to 1e-10 (float64) before anything is written:
  - BertEmbeddings: LayerNorm(word + position + token_type), eps 1e-12, dropout 0 here.
  - BertSelfAttention: Q, K, V linear; heads split as view(B, L, nh, hs).permute(0, 2, 1, 3),
    i.e. head h owns hidden units [h*hs, (h+1)*hs); scores / sqrt(hs) plus (1 - mask) * min;
    softmax; probs @ V merged back. nn.MultiheadAttention packs Q, K, V row-wise in
    in_proj_weight (3d, d) and splits heads the same way (it scales Q before the product instead
    of the scores after; same math). Its key padding mask uses -inf instead of a large negative.
  - BertSelfOutput: LayerNorm(dense(context) + x) = norm1(x + out_proj(...)), post-LN
    (norm_first=False).
  - BertIntermediate + BertOutput: LayerNorm(dense2(gelu(dense1(a))) + a) with the exact erf GELU
    (hidden_act "gelu"); activation='gelu' in PyTorch is F.gelu, also the erf form.

The config is deliberately odd (as the BertModelTester of transformers' tests): hidden 32, 4 heads
of 8, intermediate 37, 3 layers, vocab 99, 11 positions, batch 13, sequence 7 with padding, two
segments, so that a swapped axis, a wrong head split or ignored padding cannot pass. Weights are
larger than BERT's N(0, 0.02) initialisation so that attention is peaked and every head matters.

Stored tensors use the Hugging Face BERT names (what BertWeightMapping reads), plus
`hidden_states.N` (B, L, d): the output of embeddings (N = 0) and of each layer, as
transformers' `output_hidden_states`. Hidden states are computed in float64 and stored as float32.
"""

import json
import math
import os
import re
import struct

import torch
import torch.nn.functional as F
from torch import nn

VOCAB = 99
HIDDEN = 32
HEADS = 4
INTERMEDIATE = 37
LAYERS = 3
MAX_POSITIONS = 11
TYPE_VOCAB = 2
EPS = 1e-12
BATCH = 13
LENGTH = 7
LENGTHS = [7, 4, 7, 6, 2, 7, 5, 7, 3, 7, 7, 6, 1]  # tokens per example; the rest is padding
SEED = 20230109  # arXiv 2301.04761's month, any fixed number will do

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "resources", "dev", "narrowbert", "pretrained", "bert-reference")


class Embeddings(nn.Module):
    """BertEmbeddings: word + learned absolute position + token type, then LayerNorm."""

    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.position = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.token_type = nn.Embedding(TYPE_VOCAB, HIDDEN)
        self.norm = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, ids, types):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)  # (1, L)
        return self.norm(self.word(ids) + self.position(positions) + self.token_type(types))


def encoder_layer():
    return nn.TransformerEncoderLayer(
        HIDDEN, HEADS, dim_feedforward=INTERMEDIATE, dropout=0.0, activation="gelu",
        layer_norm_eps=EPS, batch_first=True, norm_first=False)


def bert_layer_by_hand(layer, x, mask):
    """BertLayer of modeling_bert.py written out, with the weights of `layer` (no dropout)."""
    b, l, d = x.shape
    hs = d // HEADS
    wq, wk, wv = layer.self_attn.in_proj_weight.chunk(3)  # rows: query, key, value
    bq, bk, bv = layer.self_attn.in_proj_bias.chunk(3)

    def transpose_for_scores(t):  # (B, L, d) -> (B, nh, L, hs)
        return t.view(b, l, HEADS, hs).permute(0, 2, 1, 3)

    q = transpose_for_scores(F.linear(x, wq, bq))
    k = transpose_for_scores(F.linear(x, wk, bk))
    v = transpose_for_scores(F.linear(x, wv, bv))
    extended = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
    scores = q @ k.transpose(-1, -2) / math.sqrt(hs) + extended  # (B, nh, L, L)
    context = (scores.softmax(-1) @ v).permute(0, 2, 1, 3).reshape(b, l, d)
    attention = layer.norm1(layer.self_attn.out_proj(context) + x)  # BertSelfOutput
    intermediate = F.gelu(layer.linear1(attention))  # BertIntermediate
    return layer.norm2(layer.linear2(intermediate) + attention)  # BertOutput


def randomise(module, generator):
    """Every weight and bias random (PyTorch leaves attention biases at 0), LayerNorm near 1/0."""
    for name, p in module.named_parameters():
        with torch.no_grad():
            noise = torch.randn(p.shape, generator=generator)
            if "norm" in name:
                p.copy_(noise * 0.1 + (1.0 if name.endswith("weight") else 0.0))
            elif isinstance(module, Embeddings):
                p.copy_(noise)
            else:
                p.copy_(noise * 0.25)


def inputs(generator):
    ids = torch.zeros(BATCH, LENGTH, dtype=torch.long)
    types = torch.zeros(BATCH, LENGTH, dtype=torch.long)
    mask = torch.zeros(BATCH, LENGTH, dtype=torch.long)
    for row, n in enumerate(LENGTHS):
        ids[row, 0] = 2  # a [CLS]-like first token
        ids[row, 1:n] = torch.randint(3, VOCAB, (n - 1,), generator=generator)
        mask[row, :n] = 1
        second = int(torch.randint(1, n + 1, (1,), generator=generator))
        types[row, second:n] = 1  # a second segment in most examples
    return ids, types, mask


def hf_tensors(embeddings, layers):
    """The weights under Hugging Face BERT names."""
    out = {
        "embeddings.word_embeddings.weight": embeddings.word.weight,
        "embeddings.position_embeddings.weight": embeddings.position.weight,
        "embeddings.token_type_embeddings.weight": embeddings.token_type.weight,
        "embeddings.LayerNorm.weight": embeddings.norm.weight,
        "embeddings.LayerNorm.bias": embeddings.norm.bias,
    }
    for n, layer in enumerate(layers):
        prefix = f"encoder.layer.{n}."
        for kind in ("weight", "bias"):
            packed = getattr(layer.self_attn, "in_proj_" + kind).chunk(3)
            for projection, tensor in zip(("query", "key", "value"), packed):
                out[prefix + f"attention.self.{projection}.{kind}"] = tensor
            out[prefix + f"attention.output.dense.{kind}"] = getattr(layer.self_attn.out_proj, kind)
            out[prefix + f"intermediate.dense.{kind}"] = getattr(layer.linear1, kind)
            out[prefix + f"output.dense.{kind}"] = getattr(layer.linear2, kind)
        for ln, norm in (("attention.output.LayerNorm", layer.norm1), ("output.LayerNorm", layer.norm2)):
            out[prefix + ln + ".weight"] = norm.weight
            out[prefix + ln + ".bias"] = norm.bias
    return out


def readable_json(value):
    """JSON with every innermost list and object on one line (an input row, a tensor entry)."""
    text = json.dumps(value, indent=1)
    one_line = lambda m: json.dumps(json.loads(m.group(0)))
    text = re.sub(r"\[[^\[\]{}]*\]", one_line, text)
    return re.sub(r"\{[^{}]*\}", one_line, text)


def main():
    generator = torch.Generator().manual_seed(SEED)
    embeddings = Embeddings()
    layers = nn.ModuleList(encoder_layer() for _ in range(LAYERS))
    randomise(embeddings, generator)
    for layer in layers:
        randomise(layer, generator)
    ids, types, mask = inputs(generator)
    weights = {name: t.detach().clone() for name, t in hf_tensors(embeddings, layers).items()}

    # The reference runs in float64 from the float32 weights that are stored. Gradients stay on so
    # that TransformerEncoderLayer takes its plain (not the fused inference) path.
    embeddings.double().eval()
    layers.double().eval()
    padding = mask == 0  # src_key_padding_mask: True = not a token
    states = [embeddings(ids, types)]
    for layer in layers:
        x = states[-1]
        y = layer(x, src_key_padding_mask=padding)
        by_hand = bert_layer_by_hand(layer, x, mask)
        tokens = mask.bool()
        difference = (y - by_hand)[tokens].abs().max().item()
        assert difference < 1e-10, f"TransformerEncoderLayer differs from BertLayer by {difference}"
        states.append(y)

    tensors = dict(weights)
    for n, s in enumerate(states):
        tensors[f"hidden_states.{n}"] = s.detach().float()
    index, data, offset = [], bytearray(), 0
    for name, t in tensors.items():
        values = t.detach().float().contiguous().view(-1).tolist()
        index.append({"name": name, "shape": list(t.shape), "offset": offset})
        data += struct.pack(f"<{len(values)}f", *values)
        offset += len(values)
    header = {
        "generator": "model-lib/src/test/python/make_bert_reference.py",
        "torch_version": torch.__version__,
        "seed": SEED,
        "config": {
            "vocab_size": VOCAB, "hidden_size": HIDDEN, "num_attention_heads": HEADS,
            "intermediate_size": INTERMEDIATE, "num_hidden_layers": LAYERS,
            "max_position_embeddings": MAX_POSITIONS, "type_vocab_size": TYPE_VOCAB,
            "layer_norm_eps": EPS,
        },
        "input_ids": ids.tolist(),
        "token_type_ids": types.tolist(),
        "attention_mask": mask.tolist(),
        "data": "bert-reference.bin: little-endian float32, each tensor row-major from offset",
        "tensors": index,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".bin", "wb") as f:
        f.write(data)
    with open(OUT + ".json", "w") as f:
        f.write(readable_json(header) + "\n")
    print(f"wrote {OUT}.json and .bin: {len(tensors)} tensors, {offset} floats")


if __name__ == "__main__":
    main()
