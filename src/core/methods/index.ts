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
import { mae } from "./mae";
import { rotnet } from "./rotnet";
import { jigsaw } from "./jigsaw";
import { colorization } from "./colorization";

export const METHOD_FACTORIES: Record<MethodName, MethodFactory> = { simclr, moco, byol, simsiam, barlowtwins, vicreg, swav, dino, mae, rotnet, jigsaw, colorization };

export type { SslMethod, StepProgress, Outputs } from "./method";
