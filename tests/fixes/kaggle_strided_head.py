#!/usr/bin/env python
# coding: utf-8

# # Histopathologic cancer detection -- from-scratch CNN
# Tiles are center-cropped to 64x64.

# In[1]:


import torch


# In[2]:


model = torch.nn.Sequential(
    torch.nn.Conv2d(3, 32, kernel_size=3, stride=2, padding=1),
    torch.nn.BatchNorm2d(32),
    torch.nn.ReLU(),
    torch.nn.Conv2d(32, 64, kernel_size=3, stride=2, padding=1),
    torch.nn.BatchNorm2d(64),
    torch.nn.ReLU(),
    torch.nn.Conv2d(64, 128, kernel_size=3, stride=2, padding=1),
    torch.nn.BatchNorm2d(128),
    torch.nn.ReLU(),
    torch.nn.Flatten(),
    torch.nn.Linear(128 * 8 * 8, 1),  # expect: SHP101 2048 8192
)


# In[3]:


xb = torch.randn(8, 3, 64, 64)
model(xb).shape
