import torch
from torch import nn

class DeepseekV3Attention(nn.Module):
    pass
