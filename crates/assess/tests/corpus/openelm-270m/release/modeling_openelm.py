import torch
from torch import nn

class OpenELMMultiHeadCausalAttention(nn.Module):
    pass
