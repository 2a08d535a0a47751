import torch
from torch import nn

class QWenAttention(nn.Module):
    pass
