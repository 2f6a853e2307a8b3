/** The methods by config name. */
import type { MethodName } from "../config/methodSchema";
import type { MethodFactory } from "./method";
import { simclr } from "./simclr";
import { moco } from "./moco";
import { byol } from "./byol";
import { simsiam } from "./simsiam";
import { barlowtwins, vicreg } from "./redundancyReduction";
import { swav } from "./swav";
import { dino } from "./dino";

export const METHOD_FACTORIES: Record<MethodName, MethodFactory> = { simclr, moco, byol, simsiam, barlowtwins, vicreg, swav, dino };

export type { SslMethod, StepProgress, Outputs } from "./method";
