"""ONNX export of moonwalk-tiny plus golden tensors, and the synthetic Wan-shaped model.

Python has no ONNX Runtime here, so each ONNX file gets golden input/output tensors computed by PyTorch;
the C# tests prove ONNX Runtime reproduces them within 1e-4.
"""
import json
import os
import shutil
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

import nets

OPSET = 17


def _export(module, args, path, inputs, outputs, dynamic):
    module.eval()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def tensor_names(with_encoder):
    """The manifest's tensor names: the same graph interface for every model this kit exports."""
    names = {
        "textEncoder": {"inputIds": "input_ids", "textStates": "text_states"},
        "denoiser": {"sample": "sample", "timestep": "timestep", "textStates": "text_states",
                     "context": "context", "contextMask": "context_mask", "frameStride": "frame_stride",
                     "output": "velocity"},
        "vaeDecoder": {"latent": "latent", "image": "image"},
    }
    if with_encoder:
        names["vaeEncoder"] = {"image": "image", "latent": "latent"}
    return names


DENOISER_INPUTS = ["sample", "timestep", "text_states", "context", "context_mask", "frame_stride"]
DENOISER_AXES = {"sample": {0: "batch", 2: "frames"}, "timestep": {0: "batch"}, "text_states": {0: "batch"},
                 "context": {0: "batch", 2: "frames"}, "context_mask": {0: "batch", 1: "frames"},
                 "frame_stride": {0: "batch"}, "velocity": {0: "batch", 2: "frames"}}


def _write_golden(folder, name, inputs, outputs):
    """Raw little-endian tensors and an index: {name: {inputs: {tensor: {file, shape, dtype}}, outputs: ...}}."""
    gdir = os.path.join(folder, "golden")
    os.makedirs(gdir, exist_ok=True)
    entry = {}
    for kind, tensors in (("inputs", inputs), ("outputs", outputs)):
        entry[kind] = {}
        for tname, arr in tensors.items():
            arr = np.ascontiguousarray(arr)
            fname = f"{name}.{tname}.bin"
            arr.tofile(os.path.join(gdir, fname))
            entry[kind][tname] = {"file": fname, "shape": list(arr.shape), "dtype": str(arr.dtype)}
    index_path = os.path.join(gdir, "golden.json")
    index = json.load(open(index_path)) if os.path.exists(index_path) else {}
    index[name] = entry
    json.dump(index, open(index_path, "w"), indent=1)


class FirstFrameWindow(nn.Module):
    """The first-frame model behind the video denoiser's tensor layout: a one-frame window (B, C, 1, H, W) in and out,
    so the farm runs both through the same code."""

    def __init__(self, model, text_from):
        super().__init__()
        self.model = model
        self.text_from = text_from  # where its text encoder's states start in the exported text states

    def forward(self, sample, timestep, text_states):
        states = text_states[:, :, self.text_from:self.text_from + nets.TEXT_DIM]
        return self.model(sample[:, :, 0], timestep, states)[:, :, None]


FIRST_FRAME_TENSORS = {"sample": "sample", "timestep": "timestep", "textStates": "text_states", "output": "velocity"}


def export_first_frame(first_frame, states, text_from, out):
    """`first_frame.onnx` and its golden tensors; returns the manifest entries."""
    model = FirstFrameWindow(first_frame, text_from).eval()
    c = nets.LATENT_CHANNELS
    args = (torch.randn(2, c, 1, 8, 8), torch.tensor([0.9, 0.3]), states)
    names = ["sample", "timestep", "text_states"]
    _export(model, args, os.path.join(out, "first_frame.onnx"), names, ["velocity"],
            {"sample": {0: "batch"}, "timestep": {0: "batch"}, "text_states": {0: "batch"}, "velocity": {0: "batch"}})
    with torch.no_grad():
        vel = model(*args)
    _write_golden(out, "first_frame", {n: a.numpy() for n, a in zip(names, args)}, {"velocity": vel.numpy()})
    return "first_frame.onnx", FIRST_FRAME_TENSORS


class DecoderToImage(nn.Module):
    def __init__(self, dec):
        super().__init__()
        self.dec = dec

    def forward(self, latent):
        return self.dec(latent)


class RouteOf(nn.Module):
    """The routed denoiser's per-row prompt route alone (1: the prompt moves sideways), with the denoiser's full input
    list; `interpolation_route` adds the context-mask half of `nets.RoutedDenoiser.route` in the outer graph."""

    def __init__(self, routed):
        super().__init__()
        self.routed = routed

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride, guidance_text_states):
        return self.routed.sideways(guidance_text_states)


class BranchOf(nn.Module):
    """One of the routed denoiser's two networks, with the denoiser's full input list."""

    def __init__(self, routed, frame_stage):
        super().__init__()
        self.net = routed.frame if frame_stage else routed.base
        self.text_from = nets.TEXT_DIM if frame_stage else 0

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride, guidance_text_states):
        states = text_states[:, :, self.text_from:self.text_from + nets.TEXT_DIM]
        return self.net(sample, timestep, states, context, context_mask, frame_stride)


def _traced(module, args, names, output, axes, folder, key):
    path = os.path.join(folder, key + ".onnx")
    module.eval()
    torch.onnx.export(module, args, path, input_names=names, output_names=[output], dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)
    return onnx.load(path)


def _as_branch(graph, prefix, outer_names, shared):
    """A traced graph as an `If` branch: no inputs of its own (it reads the outer graph's), every inner name prefixed
    so it cannot clash with the outer scope, and its weights moved to `shared` (keyed by content, so the base network's
    weights are stored once although two branches use them)."""
    def rename(name):
        return name if name == "" or name in outer_names else prefix + name

    weights = {}
    for init in graph.initializer:
        array = onnx.numpy_helper.to_array(init)
        key = (str(array.dtype), array.shape, array.tobytes())
        if key not in shared:
            shared[key] = onnx.numpy_helper.from_array(array, "w%d" % len(shared))
        weights[init.name] = shared[key].name
    nodes = []
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.name = prefix + node.name
        copy.input[:] = [weights.get(i) or rename(i) for i in node.input]
        copy.output[:] = [rename(o) for o in node.output]
        nodes.append(copy)
    outputs = [onnx.helper.make_value_info(rename(o.name), o.type) for o in graph.output]
    return onnx.helper.make_graph(nodes, prefix + "branch", [], outputs)


def interpolation_route(sideways, routed):
    """ONNX nodes of `nets.RoutedDenoiser.route`'s mask half: `routed` = `sideways` × (1 − a given frame follows a
    free one in `context_mask`)."""
    helper = onnx.helper
    const = lambda name, kind, value: helper.make_node("Constant", [], [name], value=helper.make_tensor(name, kind, [], [value]))
    return [
        const("interp/one", onnx.TensorProto.FLOAT, 1.0),
        const("interp/zero", onnx.TensorProto.FLOAT, 0.0),
        const("interp/axis", onnx.TensorProto.INT64, 1),
        helper.make_node("Sub", ["interp/one", "context_mask"], ["interp/free"]),
        helper.make_node("CumSum", ["interp/free", "interp/axis"], ["interp/free_before"]),
        helper.make_node("Greater", ["interp/free_before", "interp/zero"], ["interp/after_free"]),
        helper.make_node("Cast", ["interp/after_free"], ["interp/after_free_float"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Mul", ["interp/after_free_float", "context_mask"], ["interp/given_after_free"]),
        helper.make_node("ReduceMax", ["interp/given_after_free"], ["interp/interpolating"], axes=[1], keepdims=0),
        helper.make_node("Sub", ["interp/one", "interp/interpolating"], ["interp/keep"]),
        helper.make_node("Mul", [sideways, "interp/keep"], [routed]),
    ]


def export_routed_denoiser(routed, args, names, axes, path):
    """The routed denoiser as one ONNX graph that runs only the networks a batch needs: each network sits in an `If`
    that runs it when some row takes it (else gives zeros), and the rows pick their network's output. A batch of one
    job's windows has one prompt, so it costs one network, not two. Both `If`s sit at the top level: ONNX Runtime gave
    thread-count-dependent results for a network nested one `If` deeper, and the farm's output must not depend on it."""
    with tempfile.TemporaryDirectory() as folder:
        route = _traced(RouteOf(routed), args, names, "route", {**axes, "route": {0: "batch"}}, folder, "route")
        base = _traced(BranchOf(routed, False), args, names, "velocity", axes, folder, "base")
        frame = _traced(BranchOf(routed, True), args, names, "velocity", axes, folder, "frame")
    # a trace drops the inputs its module does not read: the routed graph's inputs are the union, in the contract's order
    traced_inputs = {i.name: i for g in (route.graph, base.graph, frame.graph) for i in g.input}
    inputs = [traced_inputs[n] for n in names]
    outer = set(names)
    shared = {}
    helper = onnx.helper
    route_graph = _as_branch(route.graph, "route/", outer, shared)
    velocity_type = base.graph.output[0].type
    zeros = helper.make_graph([helper.make_node("Shape", ["sample"], ["zeros/shape"]),
                               helper.make_node("ConstantOfShape", ["zeros/shape"], ["zeros/velocity"],
                                                value=helper.make_tensor("zero", onnx.TensorProto.FLOAT, [1], [0.0]))],
                              "zeros", [], [helper.make_value_info("zeros/velocity", velocity_type)])
    r = "route/routed"
    nodes = list(route_graph.node) + interpolation_route(route_graph.output[0].name, r) + [
        helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("zero", onnx.TensorProto.FLOAT, [], [0.0])),
        helper.make_node("Constant", [], ["one"], value=helper.make_tensor("one", onnx.TensorProto.FLOAT, [], [1.0])),
        helper.make_node("ReduceMax", [r], ["route_max"], keepdims=0),
        helper.make_node("ReduceMin", [r], ["route_min"], keepdims=0),
        helper.make_node("Greater", ["route_max", "zero"], ["any_frame"]),
        helper.make_node("Less", ["route_min", "one"], ["any_base"]),
        helper.make_node("If", ["any_base"], ["base_velocity"],
                         then_branch=_as_branch(base.graph, "base/", outer, shared), else_branch=zeros),
        helper.make_node("If", ["any_frame"], ["frame_velocity"],
                         then_branch=_as_branch(frame.graph, "frame/", outer, shared), else_branch=zeros),
        # the same per-row pick as nets.RoutedDenoiser: route * frame + (1 - route) * base
        helper.make_node("Constant", [], ["row_axes"], value=helper.make_tensor("row_axes", onnx.TensorProto.INT64, [4], [1, 2, 3, 4])),
        helper.make_node("Unsqueeze", [r, "row_axes"], ["row_route"]),
        helper.make_node("Mul", ["row_route", "frame_velocity"], ["frame_part"]),
        helper.make_node("Sub", ["one", "row_route"], ["base_weight"]),
        helper.make_node("Mul", ["base_weight", "base_velocity"], ["base_part"]),
        helper.make_node("Add", ["frame_part", "base_part"], [base.graph.output[0].name]),
    ]
    graph = helper.make_graph(nodes, "routed_denoiser", inputs, list(base.graph.output),
                              initializer=list(shared.values()))
    model = helper.make_model(graph, opset_imports=base.opset_import, producer_name="moonwalk-tiny model kit")
    model.ir_version = base.ir_version
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export_all(vae, den_state, tok, out, work, first_frame=None, base_state=None, route_speed=0.05, first_frame_guidance=4.0,
               multi_window_guidance=2.0):
    """Every ONNX file, golden tensors, vocabulary and manifest of moonwalk-tiny; `first_frame` is the first-frame
    stage's output (`train.train_first_frame`), if it ran. With `base_state` (the base stage's output) next to a
    co-moving frame stage's `den_state`, the denoiser routes each prompt to one of the two (`nets.RoutedDenoiser`)."""
    os.makedirs(out, exist_ok=True)
    if os.path.exists(os.path.join(out, "golden")):
        shutil.rmtree(os.path.join(out, "golden"))
    torch.manual_seed(123)
    c = nets.LATENT_CHANNELS
    enc, dec = nets.VaeEncoder(), nets.vae_decoder(vae)
    enc.load_state_dict(vae["enc"])
    text, den = nets.text_and_denoiser(den_state)
    routed = base_state is not None and bool(den_state.get("frame", False))
    if routed:
        base_text, base_den = nets.text_and_denoiser(base_state)
        frame_den = den
        text = nets.PairedTextEncoder(base_text, text)
        den = nets.RoutedDenoiser(base_den, frame_den, route_speed)
    for m in (enc, dec, text, den):
        m.eval()

    ids = torch.tensor([tok.encode("bluey walking on the moon after coming out of the spaceship"), tok.encode(""),
                        tok.encode("a red ball rolling left on the beach")])
    _export(text, (ids,), os.path.join(out, "text_encoder.onnx"), ["input_ids"], ["text_states"],
            {"input_ids": {0: "batch"}, "text_states": {0: "batch"}})
    with torch.no_grad():
        states = text(ids)
    _write_golden(out, "text_encoder", {"input_ids": ids.numpy()}, {"text_states": states.numpy()})

    b, t = 3, 6
    sample = torch.randn(b, c, t, 8, 8)
    ts = torch.tensor([0.9, 0.6, 0.3])
    ctx = torch.randn(b, c, t, 8, 8)
    # a side-less prompt continuing a prefix (base), a sideways one continuing a prefix (frame stage) and the same
    # sideways prompt given a frame after free ones (base, by the interpolation rule): every route in one batch
    mask = torch.tensor([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]], dtype=torch.float32)
    stride = torch.tensor([1.0, 1.0, 4.0])
    pair = states[[0, 2, 2]]
    args = (sample, ts, pair, ctx, mask, stride) + ((pair,) if routed else ())
    names = DENOISER_INPUTS + (["guidance_text_states"] if routed else [])
    axes = {**DENOISER_AXES, "guidance_text_states": {0: "batch"}} if routed else DENOISER_AXES
    if routed:
        export_routed_denoiser(den, args, names, axes, os.path.join(out, "denoiser.onnx"))
    else:
        _export(den, args, os.path.join(out, "denoiser.onnx"), names, ["velocity"], axes)
    with torch.no_grad():
        vel = den(*args)
    _write_golden(out, "denoiser", {n: a.numpy() for n, a in zip(names, args)}, {"velocity": vel.numpy()})
    if routed:
        # golden tensors for each of the graph's branches: the pair above is mixed in a trained model; these take one
        # network each (an untrained speed head, as in the smoke run, may route every prompt alike: then one is missing)
        with torch.no_grad():
            routes = den.sideways(states).tolist()  # the prompt's route: branch cases continue a prefix (row 0)
        for branch, route in (("base", 0.0), ("frame", 1.0)):
            if route not in routes:
                continue
            one_route = states[[routes.index(route)] * b]
            prefixes = torch.tensor([[1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0]], dtype=torch.float32)
            branch_args = (sample, ts, one_route, ctx, prefixes, stride, one_route)
            with torch.no_grad():
                vel = den(*branch_args)
            _write_golden(out, "denoiser@" + branch, {n: a.numpy() for n, a in zip(names, branch_args)}, {"velocity": vel.numpy()})

    lat = torch.randn(3, c, 8, 8) / vae["scaling"]
    _export(dec, (lat,), os.path.join(out, "vae_decoder.onnx"), ["latent"], ["image"],
            {"latent": {0: "frames"}, "image": {0: "frames"}})
    with torch.no_grad():
        img = dec(lat)
    _write_golden(out, "vae_decoder", {"latent": lat.numpy()}, {"image": img.numpy()})

    _export(enc, (img,), os.path.join(out, "vae_encoder.onnx"), ["image"], ["latent"],
            {"image": {0: "frames"}, "latent": {0: "frames"}})
    with torch.no_grad():
        z = enc(img)
    _write_golden(out, "vae_encoder", {"image": img.numpy()}, {"latent": z.numpy()})

    first_frame_path = os.path.join(out, "first_frame.onnx")
    if first_frame is not None:
        first_frame_model = nets.first_frame_denoiser(first_frame["model"])
        first_frame_file, first_frame_tensors = export_first_frame(first_frame_model, states[:2], nets.TEXT_DIM if routed else 0, out)
    elif os.path.exists(first_frame_path):
        os.remove(first_frame_path)  # a model exported without the stage must not keep an older one

    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(tok.words) + "\n")
    manifest = {
        "name": "moonwalk-tiny",
        "description": "Text-to-video latent diffusion model trained on CPU on a procedural world "
                       "(coloured dogs, balls, cubes and rockets on moon, beach, grass and space).",
        "synthetic": False,
        "files": {"textEncoder": "text_encoder.onnx", "denoiser": "denoiser.onnx",
                  "vaeDecoder": "vae_decoder.onnx", "vaeEncoder": "vae_encoder.onnx"},
        "tensors": tensor_names(with_encoder=True),
        "latent": {"channels": c, "spatialFactor": 8, "temporalFactor": 1, "scaling": vae["scaling"]},
        "video": {"width": 64, "height": 64, "fps": 8},
        "window": {"native": 16, "min": 4, "max": 32},
        "sampler": {"kind": "flow-match-euler", "shift": 2.0, "defaultSteps": 20},
        "prediction": "velocity",
        "guidance": {"default": 4.0, "multiWindow": multi_window_guidance},
        "tokenizer": {"kind": "word", "vocabulary": "vocab.txt", "maxTokens": nets.MAX_TOKENS, "padId": 0,
                      "unknownId": 1, "lowercase": True},
        "text": {"dim": nets.TEXT_DIM * (2 if routed else 1)},
        "conditioning": {"contextLatents": True, "frameStride": True},
    }
    if routed:
        manifest["tensors"]["denoiser"]["guidanceTextStates"] = "guidance_text_states"
    if first_frame is not None:
        manifest["files"]["firstFrame"] = first_frame_file
        manifest["tensors"]["firstFrame"] = first_frame_tensors
        manifest["guidance"]["firstFrame"] = first_frame_guidance
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=2)
    write_training_record(vae, den_state, work, first_frame)


def write_training_record(vae, den_state, work, first_frame=None):
    first_frame = first_frame or {}
    rec = {"first_frame_seconds": first_frame.get("seconds"), "first_frame_curve": first_frame.get("curve"),"vae_seconds": vae.get("seconds"), "vae_curve": vae.get("curve"),
           "denoiser_seconds": den_state.get("seconds"), "denoiser_curve": den_state.get("curve"),
           "evals": den_state.get("evals"),
           "frame_seconds": den_state.get("frame_seconds"), "decoder_seconds": vae.get("decoder_seconds")}
    json.dump(rec, open(os.path.join(work, "training.json"), "w"), indent=1)


# ---------------------------------------------------------------- synthetic Wan2.1-shaped model
class SyntheticText(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)

    def forward(self, input_ids):
        return self.embed(input_ids)


class SyntheticDenoiser(nn.Module):
    """Untrained, cheap: a pointwise mix of the sample plus a text and timestep bias. Real data sizes only."""

    def __init__(self, c, dim):
        super().__init__()
        self.mix = nn.Conv3d(2 * c + 1, c, 1)
        self.text = nn.Linear(dim, c)

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride):
        m = context_mask[:, None, :, None, None]
        x = torch.cat([sample, context * m, m.expand(-1, 1, -1, sample.shape[3], sample.shape[4])], 1)
        bias = self.text(text_states.mean(dim=1)) * (timestep * torch.log2(frame_stride + 1))[:, None]
        return self.mix(x) * 0.1 + bias[:, :, None, None, None]


class SyntheticDecoder(nn.Module):
    """(N,16,h,w) -> (N, 3*k, 8h, 8w): one latent frame becomes k=4 pixel frames, as in Wan's causal VAE."""

    def __init__(self, c, k):
        super().__init__()
        self.proj = nn.Conv2d(c, 3 * k * 64, 1)

    def forward(self, latent):
        return torch.tanh(F.pixel_shuffle(self.proj(latent), 8))


def export_synthetic(out, words):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    c, k, dim, tokens = 16, 4, 4096, 512
    text = SyntheticText(len(words), dim)
    _export(text, (torch.zeros(1, tokens, dtype=torch.long),), os.path.join(out, "text_encoder.onnx"),
            ["input_ids"], ["text_states"], {"input_ids": {0: "batch"}, "text_states": {0: "batch"}})
    den = SyntheticDenoiser(c, dim)
    args = (torch.randn(1, c, 2, 60, 104), torch.tensor([0.5]), torch.randn(1, tokens, dim),
            torch.randn(1, c, 2, 60, 104), torch.zeros(1, 2), torch.ones(1))
    names = DENOISER_INPUTS
    _export(den, args, os.path.join(out, "denoiser.onnx"), names, ["velocity"], DENOISER_AXES)
    dec = SyntheticDecoder(c, k)
    _export(dec, (torch.randn(1, c, 60, 104),), os.path.join(out, "vae_decoder.onnx"), ["latent"], ["image"],
            {"latent": {0: "frames"}, "image": {0: "frames"}})
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(words) + "\n")
    manifest = {
        "name": "synthetic-wan-shape",
        "description": "SYNTHETIC, untrained: Wan2.1 latent geometry (16 channels, 8x spatial, 4x temporal, "
                       "480x832) for data-path, memory and messaging benchmarks. Its videos are noise.",
        "synthetic": True,
        "files": {"textEncoder": "text_encoder.onnx", "denoiser": "denoiser.onnx", "vaeDecoder": "vae_decoder.onnx"},
        "tensors": tensor_names(with_encoder=False),
        "latent": {"channels": c, "spatialFactor": 8, "temporalFactor": k, "scaling": 1.0},
        "video": {"width": 832, "height": 480, "fps": 16},
        "window": {"native": 21, "min": 4, "max": 32},
        "sampler": {"kind": "flow-match-euler", "shift": 5.0, "defaultSteps": 10},
        "prediction": "velocity",
        "guidance": {"default": 5.0},
        "tokenizer": {"kind": "word", "vocabulary": "vocab.txt", "maxTokens": tokens, "padId": 0, "unknownId": 1,
                      "lowercase": True},
        "text": {"dim": dim},
        "conditioning": {"contextLatents": True, "frameStride": True},
    }
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=2)


if __name__ == "__main__":
    import argparse
    import world
    ap = argparse.ArgumentParser()
    ap.add_argument("--synthetic-out", default="../../models/synthetic-wan-shape")
    a = ap.parse_args()
    export_synthetic(a.synthetic_out, world.vocabulary())
