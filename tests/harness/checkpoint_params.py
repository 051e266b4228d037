"""Count the learned parameters of released segmentation checkpoints, as the authors' code builds
them: every tensor of the state dict except batch norm's running mean and variance and its
batch counter (what `model.parameters()` sums).

    python tests/harness/checkpoint_params.py [--dir FOLDER] > tests/data/checkpoints.json

Needs CPU torch (pip install torch==2.13.0). Each file is read from FOLDER if it is there
(named as in its repository), else downloaded from the repository at the commit below.
"""

import argparse
import json
import os
import sys
import urllib.request

import torch

CHECKPOINTS = [  # (mbcalc model and classes, repository, commit, path)
    ("espnet-released", "sacmehta/ESPNet", "afe71c38edaee3514ca44e0adcafdf36109bf437", "pretrained/decoder/espnet_p_2_q_8.pth"),
    *(
        (name, "sacmehta/EdgeNets", "2b232d3f7fb60658755dad1ebca0ffc895cc795e", f"model/segmentation/model_zoo/espnetv2/espnetv2_s_{s}_city_1024x512.pth")
        for name, s in (("espnetv2-s0.5", "0.5"), ("espnetv2-s1.0", "1.0"), ("espnetv2-s1.5", "1.5"), ("espnetv2", "2.0"))
    ),
    ("ccc2", "clovaai/c3_sinet", "dd916387d759b792e0b371a395f8f82ac49731dc", "result/C3Net/C3Net_setting2.pth"),
]
NOT_LEARNED = ("running_mean", "running_var", "num_batches_tracked")


def fetch(folder: str | None, repository: str, commit: str, path: str) -> str:
    local = os.path.join(folder, os.path.basename(path)) if folder else None
    if local and os.path.exists(local):
        return local
    target = local or os.path.basename(path)
    urllib.request.urlretrieve(f"https://github.com/{repository}/raw/{commit}/{path}", target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", help="a folder holding the checkpoint files")
    args = parser.parse_args()
    records = []
    for model, repository, commit, path in CHECKPOINTS:
        state = torch.load(fetch(args.dir, repository, commit, path), map_location="cpu", weights_only=True)
        state = state.get("state_dict", state)
        learned = sum(t.numel() for name, t in state.items() if not name.endswith(NOT_LEARNED))
        records.append({"model": model, "classes": 20, "repository": repository, "commit": commit, "path": path, "params": learned})
    json.dump({"measured_with": f"torch {torch.__version__}", "checkpoints": records}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
