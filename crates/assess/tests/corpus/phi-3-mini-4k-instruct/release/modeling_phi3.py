import torch
from torch import nn

class Phi3Attention(nn.Module):
    pass
