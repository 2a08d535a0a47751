import torch
from torch import nn

class DeepseekV3MoE(nn.Module):
    pass
