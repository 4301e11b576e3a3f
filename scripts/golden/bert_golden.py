#!/usr/bin/python3
"""Golden values for the training engine, computed by PyTorch's own modules.

The model of the engine (post-LN BERT, pre-LN, ALBERT options) is assembled here from
nn.Embedding, nn.LayerNorm, nn.TransformerEncoderLayer, nn.Linear, F.gelu and F.cross_entropy,
not transcribed from our Java. Position encodings: learned absolute (nn.Embedding), fixed
sinusoidal (Vaswani et al.), and relative_key / relative_key_query, whose layers
(RelativeEncoderLayer) follow Hugging Face's BertSelfAttention (transformers'
src/transformers/models/bert/modeling_bert.py) because torch has no such module. Weights carry Hugging Face names; they are mapped onto torch's
modules (in_proj_weight = cat(query, key, value), ...), a padded batch runs forward and backward
in float64, and the loss, logits and every parameter gradient are written as safetensors.

    /usr/bin/python3 scripts/golden/bert_golden.py write OUT_DIR
        writes OUT_DIR/<variant>/{config.json,weights.safetensors,batch.safetensors,expected.safetensors}
    /usr/bin/python3 scripts/golden/bert_golden.py run FIXTURE_DIR [OUT_FILE]
        recomputes expected values from a fixture directory whose weights/batch someone else wrote
        (e.g. our Java engine) and writes OUT_FILE (default FIXTURE_DIR/expected.safetensors)
    /usr/bin/python3 scripts/golden/bert_golden.py checkpoint CHECKPOINT_DIR BATCH_FILE OUT_FILE
        loads a training checkpoint as Hugging Face transformers reads it (config.json, model.safetensors)
        and writes the MLM (and NSP/SOP) logits of a batch to OUT_FILE

Safetensors is read and written with the standard library only (Debian has no python3-safetensors).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# safetensors, following https://github.com/huggingface/safetensors (tensor.rs): 8-byte LE header
# length, compact JSON header (__metadata__ first), tensors ordered by descending dtype then name,
# header padded with spaces to a multiple of 8.

DTYPES = {"F32": (torch.float32, "<f", 4), "I32": (torch.int32, "<i", 4),
          "F64": (torch.float64, "<d", 8), "I64": (torch.int64, "<q", 8)}
# The reference implementation sorts by the declaration order of its Dtype enum, descending.
DTYPE_RANK = {"I32": 9, "F32": 11, "F64": 12, "I64": 13}


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> (dtype string, torch tensor)."""
    items = sorted(tensors.items(), key=lambda kv: (-DTYPE_RANK[kv[1][0]], kv[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, (dtype, t) in items:
        torch_dtype, fmt, size = DTYPES[dtype]
        values = t.detach().to(torch_dtype).contiguous().reshape(-1).tolist()
        blob = struct.pack("<%d%s" % (len(values), fmt[1]), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """Returns dict name -> torch tensor (float32 or int32 ...)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        torch_dtype, fmt, size = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = (end - begin) // size
        values = struct.unpack("<%d%s" % (count, fmt[1]), body[begin:end])
        out[name] = torch.tensor(values, dtype=torch_dtype).reshape(info["shape"])
    return out


# ---------------------------------------------------------------------------------------------
# The model, from torch's modules.

def sinusoid(rows, width):
    """Vaswani et al.: PE[pos, 2i] = sin(pos / 10000^(2i/width)), PE[pos, 2i+1] = cos(the same), interleaved."""
    pos = torch.arange(rows, dtype=torch.float64).unsqueeze(1)
    even = torch.arange(0, width, 2, dtype=torch.float64)
    angle = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), even / width)
    table = torch.zeros(rows, width, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle[:, : width // 2])
    return table


def is_relative(c):
    return c.get("position_embedding_type", "absolute") in ("relative_key", "relative_key_query")


class RelativeSelfAttention(nn.Module):
    """Hugging Face's BertSelfAttention with position_embedding_type relative_key or relative_key_query:
    distance_embedding = nn.Embedding(2 * max_position_embeddings - 1, head_size); with
    e[l, r] = distance_embedding(l - r + max_position_embeddings - 1), the scores q.k get q.e
    (relative_key) or q.e + k.e (relative_key_query) added BEFORE the division by sqrt(head_size),
    then the extended attention mask ((1 - mask) * finfo.min), softmax, dropout, times v.
    q, k and v are thirds of in_proj_weight as in nn.MultiheadAttention, so name_map treats both alike."""

    def __init__(self, c):
        super().__init__()
        H = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kind = c["position_embedding_type"]
        self.max_positions = c["max_position_embeddings"]
        self.in_proj_weight = nn.Parameter(torch.empty(3 * H, H))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * H))
        self.out_proj = nn.Linear(H, H)
        self.distance_embedding = nn.Embedding(2 * self.max_positions - 1, H // self.heads)
        self.dropout = nn.Dropout(c.get("attention_probs_dropout_prob", 0.0))

    def forward(self, x, padding):
        B, T, H = x.shape
        D = H // self.heads

        def heads(t):
            return t.view(B, T, self.heads, D).permute(0, 2, 1, 3)

        q, k, v = (heads(t) for t in F.linear(x, self.in_proj_weight, self.in_proj_bias).split(H, dim=-1))
        scores = torch.matmul(q, k.transpose(-1, -2))
        distance = torch.arange(T).view(-1, 1) - torch.arange(T).view(1, -1)
        e = self.distance_embedding(distance + self.max_positions - 1).to(q.dtype)
        if self.kind == "relative_key":
            scores = scores + torch.einsum("bhld,lrd->bhlr", q, e)
        else:
            scores = scores + torch.einsum("bhld,lrd->bhlr", q, e) + torch.einsum("bhrd,lrd->bhlr", k, e)
        scores = scores / math.sqrt(D)
        scores = scores + padding.to(scores.dtype)[:, None, None, :] * torch.finfo(scores.dtype).min
        probs = self.dropout(F.softmax(scores, dim=-1))
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, T, H)
        return self.out_proj(context)


class RelativeEncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer's structure and names (GELU, post- or pre-LN) around RelativeSelfAttention."""

    def __init__(self, c):
        super().__init__()
        H, I, eps = c["hidden_size"], c["intermediate_size"], c["layer_norm_eps"]
        self.norm_first = c["pre_layer_norm"]
        self.self_attn = RelativeSelfAttention(c)
        self.linear1 = nn.Linear(H, I)
        self.linear2 = nn.Linear(I, H)
        self.norm1 = nn.LayerNorm(H, eps=eps)
        self.norm2 = nn.LayerNorm(H, eps=eps)
        self.dropout = nn.Dropout(c.get("hidden_dropout_prob", 0.0))

    def feed_forward(self, x):
        return self.dropout(self.linear2(F.gelu(self.linear1(x))))

    def forward(self, h, src_key_padding_mask):
        if self.norm_first:
            h = h + self.dropout(self.self_attn(self.norm1(h), src_key_padding_mask))
            return h + self.feed_forward(self.norm2(h))
        h = self.norm1(h + self.dropout(self.self_attn(h, src_key_padding_mask)))
        return self.norm2(h + self.feed_forward(h))


class GoldenModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        V, H, E, I = c["vocab_size"], c["hidden_size"], c["embedding_size"], c["intermediate_size"]
        eps = c["layer_norm_eps"]
        self.c = c
        self.word = nn.Embedding(V, E)
        # Hugging Face adds absolute positions only for position_embedding_type "absolute"; a sinusoid is fixed.
        kind = c.get("position_embedding_type", "absolute")
        self.position = nn.Embedding(c["max_position_embeddings"], E) if kind == "absolute" else None
        if kind == "sinusoidal":
            self.register_buffer("sinusoid", sinusoid(c["max_position_embeddings"], E))
        self.token_type = nn.Embedding(c["type_vocab_size"], E)
        self.embedding_norm = nn.LayerNorm(E, eps=eps)
        # The fixtures use no dropout; scripts/bench/train-step times the model with BERT's 0.1.
        dropout = c.get("hidden_dropout_prob", 0.0)
        self.embedding_dropout = nn.Dropout(dropout)
        self.mapping = nn.Linear(E, H) if E != H else None
        count = 1 if c["share_layers"] else c["num_hidden_layers"]
        self.layers = nn.ModuleList([
            RelativeEncoderLayer(c) if is_relative(c) else
            nn.TransformerEncoderLayer(H, c["num_attention_heads"], dim_feedforward=I, dropout=dropout,
                                       activation="gelu", layer_norm_eps=eps, batch_first=True,
                                       norm_first=c["pre_layer_norm"])
            for _ in range(count)])
        self.final_norm = nn.LayerNorm(H, eps=eps) if c["pre_layer_norm"] else None
        if c["objective"] != "mlm":
            self.pooler = nn.Linear(H, H)
            self.classifier = nn.Linear(H, 2)
        self.transform = nn.Linear(H, E)
        self.transform_norm = nn.LayerNorm(E, eps=eps)
        self.decoder_bias = nn.Parameter(torch.zeros(V))

    def encode(self, input_ids, token_type_ids, attention_mask):
        """The final hidden states, B x T x H."""
        B, T = input_ids.shape
        # Hugging Face's RoBERTa numbers positions from pad_token_id + 1 (position_offset); BERT from 0.
        positions = (torch.arange(T) + self.c.get("position_offset", 0)).unsqueeze(0).expand(B, T)
        e = self.word(input_ids) + self.token_type(token_type_ids)
        if self.position is not None:
            e = e + self.position(positions)
        elif hasattr(self, "sinusoid"):
            e = e + self.sinusoid[positions].to(e.dtype)
        h = self.embedding_dropout(self.embedding_norm(e))
        if self.mapping is not None:
            h = self.mapping(h)
        padding = attention_mask == 0
        for i in range(self.c["num_hidden_layers"]):
            layer = self.layers[0 if self.c["share_layers"] else i]
            h = layer(h, src_key_padding_mask=padding)
        if self.final_norm is not None:
            h = self.final_norm(h)
        return h

    def forward(self, input_ids, token_type_ids, attention_mask, masked_positions):
        B, T = input_ids.shape
        h = self.encode(input_ids, token_type_ids, attention_mask)
        masked = h.reshape(B * T, -1)[masked_positions]
        t = self.transform_norm(F.gelu(self.transform(masked)))
        mlm_logits = F.linear(t, self.word.weight, self.decoder_bias)
        nsp_logits = None
        if self.c["objective"] != "mlm":
            pooled = torch.tanh(self.pooler(h[:, 0]))
            nsp_logits = self.classifier(pooled)
        return mlm_logits, nsp_logits


def bert_init(model, std=0.02):
    """BERT's initialisation in place: linear and embedding weights N(0, std), biases 0, LayerNorm 1 and 0."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0, std)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.MultiheadAttention, RelativeSelfAttention)):
            nn.init.normal_(m.in_proj_weight, 0, std)
            nn.init.zeros_(m.in_proj_bias)


# ---------------------------------------------------------------------------------------------
# Hugging Face names <-> torch modules. Each entry: HF name -> (module parameter, slice of its
# first dimension or None). Attention's query/key/value are thirds of in_proj_weight/in_proj_bias.

def layer_names(c):
    if c["pre_layer_norm"]:
        return {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                "o": "attention.output.dense", "norm1": "attention.LayerNorm",
                "ffn1": "intermediate.dense", "ffn2": "output.dense", "norm2": "intermediate.LayerNorm",
                "distance": "attention.self.distance_embedding"}
    if is_albert(c):
        return {"q": "attention.query", "k": "attention.key", "v": "attention.value",
                "o": "attention.dense", "norm1": "attention.LayerNorm",
                "ffn1": "ffn", "ffn2": "ffn_output", "norm2": "full_layer_layer_norm",
                "distance": "attention.distance_embedding"}
    return {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
            "o": "attention.output.dense", "norm1": "attention.output.LayerNorm",
            "ffn1": "intermediate.dense", "ffn2": "output.dense", "norm2": "output.LayerNorm",
            "distance": "attention.self.distance_embedding"}


def is_albert(c):
    return c["share_layers"] or c["embedding_size"] != c["hidden_size"]


def name_map(model):
    c = model.c
    H = c["hidden_size"]
    out = {}

    def linear(hf, module):
        out[hf + ".weight"] = (module.weight, None)
        out[hf + ".bias"] = (module.bias, None)

    def norm(hf, module):
        out[hf + ".weight"] = (module.weight, None)
        out[hf + ".bias"] = (module.bias, None)

    if c["pre_layer_norm"]:
        root, enc = "roberta_prelayernorm", "roberta_prelayernorm.encoder.layer.%d."
    elif is_albert(c):
        root, enc = "albert", "albert.encoder.albert_layer_groups.0.albert_layers.%d."
    else:
        root, enc = "bert", "bert.encoder.layer.%d."
    out[root + ".embeddings.word_embeddings.weight"] = (model.word.weight, None)
    if model.position is not None:
        out[root + ".embeddings.position_embeddings.weight"] = (model.position.weight, None)
    out[root + ".embeddings.token_type_embeddings.weight"] = (model.token_type.weight, None)
    norm(root + ".embeddings.LayerNorm", model.embedding_norm)
    if model.mapping is not None:
        linear("albert.encoder.embedding_hidden_mapping_in", model.mapping)
    names = layer_names(c)
    for i, layer in enumerate(model.layers):
        p = enc % i
        for j, part in enumerate("qkv"):
            out[p + names[part] + ".weight"] = (layer.self_attn.in_proj_weight, slice(j * H, (j + 1) * H))
            out[p + names[part] + ".bias"] = (layer.self_attn.in_proj_bias, slice(j * H, (j + 1) * H))
        linear(p + names["o"], layer.self_attn.out_proj)
        if is_relative(c):
            out[p + names["distance"] + ".weight"] = (layer.self_attn.distance_embedding.weight, None)
        norm(p + names["norm1"], layer.norm1)
        linear(p + names["ffn1"], layer.linear1)
        linear(p + names["ffn2"], layer.linear2)
        norm(p + names["norm2"], layer.norm2)
    if model.final_norm is not None:
        norm("roberta_prelayernorm.LayerNorm", model.final_norm)
    if c["pre_layer_norm"]:
        linear("lm_head.dense", model.transform)
        norm("lm_head.layer_norm", model.transform_norm)
        out["lm_head.bias"] = (model.decoder_bias, None)
    elif is_albert(c):
        linear("predictions.dense", model.transform)
        norm("predictions.LayerNorm", model.transform_norm)
        out["predictions.bias"] = (model.decoder_bias, None)
    else:
        linear("cls.predictions.transform.dense", model.transform)
        norm("cls.predictions.transform.LayerNorm", model.transform_norm)
        out["cls.predictions.bias"] = (model.decoder_bias, None)
    if c["objective"] != "mlm":
        if is_albert(c) and not c["pre_layer_norm"]:
            linear("albert.pooler", model.pooler)
            linear("sop_classifier.classifier", model.classifier)
        else:
            linear("bert.pooler.dense", model.pooler)
            linear("cls.seq_relationship", model.classifier)
    return out


def load_weights(model, weights):
    names = name_map(model)
    missing = sorted(set(names) - set(weights))
    extra = sorted(set(weights) - set(names))
    if missing or extra:
        raise SystemExit("weights do not match the model: missing %s, unexpected %s" % (missing, extra))
    with torch.no_grad():
        for hf, (param, rows) in names.items():
            target = param if rows is None else param[rows]
            if tuple(target.shape) != tuple(weights[hf].shape):
                raise SystemExit("%s: shape %s, model wants %s" % (hf, list(weights[hf].shape), list(target.shape)))
            target.copy_(weights[hf].to(param.dtype))


def gradients(model):
    grads = {}
    for hf, (param, rows) in name_map(model).items():
        g = param.grad if rows is None else param.grad[rows]
        grads["grad." + hf] = g
    return grads


# ---------------------------------------------------------------------------------------------

def run(config, weights, batch):
    torch.set_default_dtype(torch.float64)
    model = GoldenModel(config).double()
    load_weights(model, weights)
    ids = batch["input_ids"].long()
    mlm_logits, nsp_logits = model(ids, batch["token_type_ids"].long(), batch["attention_mask"].long(),
                                   batch["masked_positions"].long())
    mlm_loss = F.cross_entropy(mlm_logits, batch["masked_labels"].long())
    loss = mlm_loss
    expected = {"mlm_loss": mlm_loss.reshape(1), "mlm_logits": mlm_logits}
    if nsp_logits is not None:
        nsp_loss = F.cross_entropy(nsp_logits, batch["next_sentence_labels"].long())
        loss = loss + nsp_loss
        expected["nsp_loss"] = nsp_loss.reshape(1)
        expected["nsp_logits"] = nsp_logits
    expected["loss"] = loss.reshape(1)
    loss.backward()
    expected.update(gradients(model))
    return {k: ("F32", v.detach().float()) for k, v in expected.items()}


VARIANTS = {
    "post_ln": dict(pre_layer_norm=False, embedding_size=24, share_layers=False, objective="nsp"),
    "pre_ln": dict(pre_layer_norm=True, embedding_size=24, share_layers=False, objective="mlm"),
    "albert": dict(pre_layer_norm=False, embedding_size=12, share_layers=True, objective="sop"),
}
# Position encodings other than BERT's learned table (the three above keep their config.json as it was).
VARIANTS.update({
    "relative_key": dict(pre_layer_norm=False, embedding_size=24, share_layers=False, objective="nsp",
                         position_embedding_type="relative_key"),
    "relative_key_query": dict(pre_layer_norm=True, embedding_size=24, share_layers=False, objective="mlm",
                               position_embedding_type="relative_key_query"),
    "sinusoidal": dict(pre_layer_norm=False, embedding_size=24, share_layers=False, objective="nsp",
                       position_embedding_type="sinusoidal"),
})
# Fixed seeds per variant (the first three by their places in the original sorted list).
SEEDS = {"albert": 0, "post_ln": 1, "pre_ln": 2, "relative_key": 3, "relative_key_query": 4, "sinusoidal": 5}
ARCHITECTURES = {"post_ln": ("BertForPreTraining", "bert"),
                 "pre_ln": ("RobertaPreLayerNormForMaskedLM", "roberta-prelayernorm"),
                 "albert": ("AlbertForPreTraining", "albert"),
                 "relative_key": ("BertForPreTraining", "bert"),
                 "relative_key_query": ("RobertaPreLayerNormForMaskedLM", "roberta-prelayernorm"),
                 "sinusoidal": ("BertForPreTraining", "bert")}


def config_of(variant):
    architecture, model_type = ARCHITECTURES[variant]
    c = dict(architectures=[architecture], model_type=model_type, vocab_size=97, hidden_size=24,
             num_hidden_layers=2, num_attention_heads=4, intermediate_size=48, hidden_act="gelu",
             max_position_embeddings=16, type_vocab_size=2, hidden_dropout_prob=0.0,
             attention_probs_dropout_prob=0.0, layer_norm_eps=1e-12, initializer_range=0.02)
    c.update(VARIANTS[variant])
    return c


def draw_weights(config, seed):
    """Random weights in HF names, N(0, 0.02); biases and LayerNorm betas non-zero and gammas away
    from 1 so that a mix-up of any two of them shows in the golden test. Query and key weights are
    drawn wider (0.2) so that attention is far from uniform and its backward carries weight."""
    torch.set_default_dtype(torch.float32)
    generator = torch.Generator().manual_seed(seed)
    model = GoldenModel(config)
    weights = {}
    for hf, (param, rows) in sorted(name_map(model).items()):
        shape = tuple((param if rows is None else param[rows]).shape)
        noise = torch.randn(shape, generator=generator)
        if "LayerNorm" in hf or "layer_norm" in hf:
            weights[hf] = 1.0 + 0.1 * noise if hf.endswith(".weight") else 0.05 * noise
        elif hf.endswith("query.weight") or hf.endswith("key.weight") or "distance_embedding" in hf:
            weights[hf] = 0.2 * noise
        else:
            weights[hf] = 0.02 * noise
    return weights


def draw_batch(config, seed, B=3, T=12):
    """A padded batch: row lengths 12, 9, 6; masked positions only on real tokens; flat indices b*T+t."""
    generator = torch.Generator().manual_seed(seed)
    V = config["vocab_size"]
    lengths = [12, 9, 6]
    input_ids = torch.zeros(B, T, dtype=torch.int32)
    token_type_ids = torch.zeros(B, T, dtype=torch.int32)
    attention_mask = torch.zeros(B, T, dtype=torch.int32)
    masked = []
    for b, n in enumerate(lengths):
        input_ids[b, :n] = torch.randint(5, V, (n,), generator=generator, dtype=torch.int32)
        input_ids[b, 0] = 2  # [CLS]
        split = n // 2
        token_type_ids[b, split:n] = 1
        attention_mask[b, :n] = 1
        picks = torch.randperm(n - 1, generator=generator)[: max(2, n // 4)] + 1
        masked.extend(b * T + int(t) for t in picks)
    masked.sort()
    masked_positions = torch.tensor(masked, dtype=torch.int32)
    masked_labels = input_ids.reshape(-1)[masked_positions.long()].clone()
    flat = input_ids.reshape(-1)
    for j, p in enumerate(masked):
        if j % 3 != 2:  # most masked positions show [MASK], the rest keep their token (BERT's 80/10/10 spirit)
            flat[p] = 4
    next_sentence_labels = torch.tensor([0, 1, 1], dtype=torch.int32)
    return {k: ("I32", v) for k, v in dict(
        input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask,
        masked_positions=masked_positions, masked_labels=masked_labels,
        next_sentence_labels=next_sentence_labels).items()}


def write_fixtures(out_dir):
    for variant in sorted(VARIANTS):
        index = SEEDS[variant]
        config = config_of(variant)
        directory = os.path.join(out_dir, variant)
        os.makedirs(directory, exist_ok=True)
        weights = draw_weights(config, seed=1000 + index)
        batch = draw_batch(config, seed=2000 + index)
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
        write_safetensors(os.path.join(directory, "weights.safetensors"),
                          {k: ("F32", v) for k, v in weights.items()}, {"format": "pt"})
        write_safetensors(os.path.join(directory, "batch.safetensors"), batch)
        write_expected(directory, os.path.join(directory, "expected.safetensors"))


def write_expected(directory, out_file):
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    weights = read_safetensors(os.path.join(directory, "weights.safetensors"))
    batch = read_safetensors(os.path.join(directory, "batch.safetensors"))
    expected = run(config, weights, batch)
    write_safetensors(out_file, expected)
    print("%s: loss %.6f (%d tensors)" % (directory, float(expected["loss"][1]), len(expected)))


def checkpoint_config(checkpoint_dir):
    """GoldenModel's configuration from a checkpoint's config.json, and the config.json itself."""
    with open(os.path.join(checkpoint_dir, "config.json")) as f:
        hf = json.load(f)
    config = {k: hf[k] for k in ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                                 "intermediate_size", "max_position_embeddings", "type_vocab_size",
                                 "layer_norm_eps", "embedding_size", "pre_layer_norm", "share_layers", "objective")}
    config["position_offset"] = hf["pad_token_id"] + 1 if hf["model_type"] == "roberta-prelayernorm" else 0
    # Hugging Face's own key (a sinusoidal model is exported as "absolute" with its table written out)
    config["position_embedding_type"] = hf.get("position_embedding_type", "absolute")
    return config, hf


def checkpoint_logits(checkpoint_dir, batch_file, out_file):
    """The checkpoint's model with Hugging Face's semantics: RoBERTa-PreLayerNorm positions start at
    pad_token_id + 1 (its stored table has those leading rows); ALBERT maps embeddings to the hidden
    size even when they have the same size (then the mapping must be the identity); with relative
    positions transformers still builds (and loads) the absolute table but never adds it, and its
    distance tables have 2 * max_position_embeddings - 1 rows of config.json's max_position_embeddings.
    Writes the MLM (and NSP/SOP) logits and the final hidden states [B, T, H]."""
    config, hf = checkpoint_config(checkpoint_dir)
    weights = read_safetensors(os.path.join(checkpoint_dir, "model.safetensors"))
    mapping = "albert.encoder.embedding_hidden_mapping_in."
    if hf["model_type"] == "albert" and config["embedding_size"] == config["hidden_size"]:
        w, b = weights.pop(mapping + "weight"), weights.pop(mapping + "bias")
        if not (torch.equal(w, torch.eye(w.shape[0])) and not b.any()):
            raise SystemExit("an ALBERT checkpoint without factorisation must map embeddings by the identity")
    if is_relative(config):
        table = weights.pop(hf["model_type"].replace("-", "_") + ".embeddings.position_embeddings.weight")
        if list(table.shape) != [config["max_position_embeddings"], config["embedding_size"]]:
            raise SystemExit("the unused absolute table must still have transformers' shape, not %s" % list(table.shape))
    torch.set_default_dtype(torch.float64)
    model = GoldenModel(config).double()
    load_weights(model, weights)
    batch = read_safetensors(batch_file)
    with torch.no_grad():
        mlm_logits, nsp_logits = model(batch["input_ids"].long(), batch["token_type_ids"].long(),
                                       batch["attention_mask"].long(), batch["masked_positions"].long())
        hidden = model.encode(batch["input_ids"].long(), batch["token_type_ids"].long(), batch["attention_mask"].long())
    out = {"mlm_logits": ("F32", mlm_logits.float()), "hidden_states": ("F32", hidden.float())}
    if nsp_logits is not None:
        out["nsp_logits"] = ("F32", nsp_logits.float())
    write_safetensors(out_file, out)


def main(argv):
    if len(argv) >= 2 and argv[0] == "write":
        write_fixtures(argv[1])
    elif len(argv) == 4 and argv[0] == "checkpoint":
        checkpoint_logits(argv[1], argv[2], argv[3])
    elif len(argv) >= 2 and argv[0] == "run":
        write_expected(argv[1], argv[2] if len(argv) > 2 else os.path.join(argv[1], "expected.safetensors"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
