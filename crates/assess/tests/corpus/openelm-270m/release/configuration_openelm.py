from transformers import PretrainedConfig

class OpenELMConfig(PretrainedConfig):
    model_type = "openelm"
