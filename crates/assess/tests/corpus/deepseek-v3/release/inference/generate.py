import torch
from model import Transformer

def generate(model, prompt_tokens, max_new_tokens):
    return model.forward(prompt_tokens)
