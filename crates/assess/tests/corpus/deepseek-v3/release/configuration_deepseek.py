from transformers.configuration_utils import PretrainedConfig

class DeepseekV3Config(PretrainedConfig):
    model_type = "deepseek_v3"
